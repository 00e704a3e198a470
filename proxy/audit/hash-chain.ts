import { createHash } from 'node:crypto';
import type { AuditRecord, AuditRecordDraft } from './audit-record.js';
import { dayOf, formatDay, logIdTimeMs } from './audit-key.js';

/**
 * Tamper evidence. Each instance keeps one chain per (tenant, UTC day): record n carries
 * `prevHash` = `hash` of record n-1 and `prevId` = its id, and its own `hash` over its canonical
 * JSON. Editing a record breaks its own hash; deleting one leaves a seq gap whose successor
 * names the deleted id; rewriting a record and its hash breaks the successor's `prevHash`.
 */

/**
 * JSON with object keys sorted at every level and no whitespace: one byte string per value.
 * Built with string appends rather than entries/sort/map/join arrays: it runs once per audit
 * record on the request path.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = value[i];
      out += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, the order canonical JSON needs.
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/** sha256 hex of a canonical JSON text. */
function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash a record must carry: sha256 hex of its canonical JSON without the `hash` field. */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  if (!('hash' in record)) return sha256Hex(canonicalJson(record));
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
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
    const record: AuditRecord = Object.assign(unsigned, { hash: sha256Hex(canonicalJson(unsigned)) });
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
