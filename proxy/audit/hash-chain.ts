import { createHash } from 'node:crypto';
import type { AuditRecord, AuditRecordDraft } from './audit-record.js';
import { dayOf, formatDay, logIdTimeMs } from './audit-key.js';

/**
 * Tamper evidence. Each instance keeps one chain per (tenant, UTC day): record n carries
 * `prevHash` = `hash` of record n-1 and `prevId` = its id, and its own `hash` over its canonical
 * JSON. Editing a record breaks its own hash; deleting one leaves a seq gap whose successor
 * names the deleted id; rewriting a record and its hash breaks the successor's `prevHash`.
 */

/** JSON with object keys sorted at every level and no whitespace: one byte string per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash a record must carry: sha256 hex of its canonical JSON without the `hash` field. */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _ignored, ...rest } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

interface ChainHead {
  seq: number;
  hash: string;
  id: string;
}

// Chains of days this far behind the newest one are dropped from memory: a request that
// started then has long finished.
const KEEP_DAYS_MS = 3 * 24 * 3600 * 1000;

/** One instance's chains. `link` must be called in the order records are spooled. */
export class HashChain {
  readonly instance: string;
  readonly #heads = new Map<string, ChainHead>();
  #newestDayMs = 0;

  constructor(instance: string) {
    this.instance = instance;
  }

  /** Stamps a draft with its chain position and hash, and advances the chain. */
  link(draft: AuditRecordDraft): AuditRecord {
    const timeMs = logIdTimeMs(draft.id);
    const chainKey = `${draft.tenant}/${formatDay(dayOf(timeMs))}`;
    const head = this.#heads.get(chainKey);
    const unsigned: Omit<AuditRecord, 'hash'> = {
      ...draft,
      instance: this.instance,
      seq: head ? head.seq + 1 : 1,
      prevHash: head ? head.hash : null,
      prevId: head ? head.id : null,
    };
    const record: AuditRecord = { ...unsigned, hash: recordHash(unsigned) };
    this.#heads.set(chainKey, { seq: record.seq, hash: record.hash, id: record.id });
    this.#prune(timeMs);
    return record;
  }

  #prune(timeMs: number): void {
    const dayMs = timeMs - (timeMs % 86_400_000);
    if (dayMs <= this.#newestDayMs) return;
    this.#newestDayMs = dayMs;
    const oldest = formatDay(dayOf(dayMs - KEEP_DAYS_MS));
    for (const key of this.#heads.keys()) {
      if (key.slice(key.indexOf('/') + 1) < oldest) this.#heads.delete(key);
    }
  }
}
