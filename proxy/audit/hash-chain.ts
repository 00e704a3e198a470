import { hash } from 'node:crypto';
import type { AuditRecord, AuditRecordDraft } from './audit-record.js';
import { dayOf, formatDay, logIdTimeMs } from './audit-key.js';

/**
 * Tamper evidence. Each instance keeps one chain per (tenant, UTC day): record n carries
 * `prevHash` = `hash` of record n-1 and `prevId` = its id, and its own `hash` over its JSON
 * without `hash`. Editing a record breaks its own hash; deleting one leaves a seq gap whose
 * successor names the deleted id; rewriting a record and its hash breaks the successor's
 * `prevHash`.
 *
 * The hash covers `JSON.stringify` of the record in its own key order, the very text the spool
 * and the sink store, so hashing costs one native serialisation that the spool line then reuses.
 * A stored record parses back with the same key order and re-serialises to the same text, so a
 * verifier needs nothing but the stored object. Records written before this scheme were hashed
 * over canonical JSON (keys sorted); {@link hashMatches} accepts both.
 */

/**
 * JSON with object keys sorted at every level and no whitespace: one byte string per value.
 * Only the hashes of records written by earlier versions need it.
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

function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

function withoutHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): Omit<AuditRecord, 'hash'> {
  if (!('hash' in record)) return record;
  const { hash: _ignored, ...rest } = record;
  return rest;
}

/** The hash a record must carry: sha256 hex of its JSON without the `hash` field, keys in its own order. */
export function recordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  return sha256Hex(JSON.stringify(withoutHash(record)));
}

/** Whether a record's `hash` matches its content, as this version hashes or as earlier ones did (canonical JSON). */
export function hashMatches(record: AuditRecord): boolean {
  const rest = withoutHash(record);
  return sha256Hex(JSON.stringify(rest)) === record.hash || sha256Hex(canonicalJson(rest)) === record.hash;
}

/** A linked record and its JSON text (exactly `JSON.stringify(record)`, computed once). */
export interface LinkedRecord {
  readonly record: AuditRecord;
  readonly json: string;
}

/** What {@link HashChain.linkWithJson} adds to a draft, in this order. */
interface ChainFields {
  instance: string;
  seq: number;
  prevHash: string | null;
  prevId: string | null;
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

  /**
   * Stamps a draft with its chain position and hash, and advances the chain. The draft itself
   * becomes the record (its chain fields are added in place, not copied into a new object: a
   * copy by spread cost more than serialising it), so it must not be linked or changed again.
   */
  link(draft: AuditRecordDraft): AuditRecord {
    return this.linkWithJson(draft).record;
  }

  /** As {@link link}, also returning the record's JSON text, so the spool need not serialise it again. */
  linkWithJson(draft: AuditRecordDraft): LinkedRecord {
    if ('hash' in draft) throw new TypeError('an audit record draft is linked once');
    const timeMs = logIdTimeMs(draft.id);
    const chainKey = `${draft.tenant}/${formatDay(dayOf(timeMs))}`;
    const head = this.#heads.get(chainKey);
    const unsigned = draft as ChainFields & AuditRecordDraft;
    unsigned.instance = this.instance;
    unsigned.seq = head ? head.seq + 1 : 1;
    unsigned.prevHash = head ? head.hash : null;
    unsigned.prevId = head ? head.id : null;
    const text = JSON.stringify(unsigned);
    // `hash` is added last, so the record serialises to the hashed text plus that one field.
    const record = unsigned as ChainFields & AuditRecordDraft & { hash: string };
    record.hash = sha256Hex(text);
    this.#heads.set(chainKey, { seq: record.seq, hash: record.hash, id: record.id });
    this.#prune(timeMs);
    return { record, json: `${text.slice(0, -1)},"hash":"${record.hash}"}` };
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
