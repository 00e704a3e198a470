import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuditRecord } from './audit-record.js';
import type { AuditSink } from './sink.js';
import { dayOf, dayPrefix, formatDay, isLogId, isTenantId, logIdOfName, logIdTimeMs, parseDay, recordKey } from './audit-key.js';
import { batchLines, batchRangeOfName, inBatchRange, type BatchRange } from './batch-layout.js';

/**
 * Reads a tenant's own delivered records back. The scope comes first and is the only source of
 * the partition, so another tenant's records (and the operator's `_unauthenticated` partition)
 * cannot be named, listed or fetched.
 */

export interface AuditListQuery {
  /** `YYYY-MM-DD` (UTC). */
  readonly date: string;
  /** Opaque cursor from a previous page's `nextCursor`. */
  readonly cursor?: string;
  /** Page size, 1..MAX_PAGE_SIZE (default DEFAULT_PAGE_SIZE). */
  readonly limit?: number;
}

export interface AuditPage {
  /** Newest first. */
  readonly records: AuditRecord[];
  readonly nextCursor: string | null;
}

export interface AuditReader {
  /** One page of a day's records, newest first. Throws GatewayError invalid_request on a bad date/cursor. */
  list(scope: TenantScope, query: AuditListQuery): Promise<AuditPage>;
  /** The record with this id in the scope's partition, or undefined (also for another tenant's id). */
  get(scope: TenantScope, logId: string): Promise<AuditRecord | undefined>;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

// Cursor: base64url("v1|<date>|<last id returned>"). Opaque to clients, validated strictly here.
function encodeCursor(date: string, lastId: string): string {
  return Buffer.from(`v1|${date}|${lastId}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, date: string): string {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [version, cursorDate, lastId] = parts;
  if (parts.length !== 3 || version !== 'v1' || cursorDate !== date || lastId === undefined || !isLogId(lastId)) {
    throw new GatewayError('invalid_request', 'Invalid cursor for this date.', { param: 'cursor' });
  }
  return lastId;
}

function partitionOf(scope: TenantScope): string {
  const tenantId = assertTenantScope(scope).tenantId;
  // A scope always names a configured tenant; the operator partition is never a tenant's.
  if (!isTenantId(tenantId)) throw new TypeError('scope does not name a tenant');
  return tenantId;
}

function parseRecord(text: string, tenant: string, logId: string): AuditRecord | undefined {
  try {
    const record = JSON.parse(text) as AuditRecord;
    // Second net: a file placed in the wrong partition is not this tenant's record.
    return record.tenant === tenant && record.id === logId ? record : undefined;
  } catch {
    return undefined;
  }
}

/** The records of a batch object that belong where it lies: this tenant, this day, within its name's range. */
function parseBatch(text: string, tenant: string, date: string, range: BatchRange): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of batchLines(text)) {
    try {
      const record = JSON.parse(line) as AuditRecord;
      if (record.tenant !== tenant || typeof record.id !== 'string' || !isLogId(record.id) || !inBatchRange(range, record.id)) continue;
      if (formatDay(dayOf(logIdTimeMs(record.id))) === date) records.push(record);
    } catch {
      // an unreadable line is not a record (audit:verify names it)
    }
  }
  return records;
}

/** A listed day: single-record objects by id, batch objects by their id range. */
interface DayListing {
  readonly singles: string[];
  readonly batches: Array<{ readonly name: string; readonly range: BatchRange }>;
}

function classify(names: readonly string[]): DayListing {
  const singles: string[] = [];
  const batches: DayListing['batches'] = [];
  for (const name of names) {
    const id = logIdOfName(name);
    if (id) singles.push(id);
    else {
      const range = batchRangeOfName(name);
      if (range) batches.push({ name, range });
    }
  }
  return { singles, batches };
}

/** A reader over a sink's layout (file directory or S3 bucket), both layouts, mixed in one day too. */
export function createAuditReader(sink: AuditSink): AuditReader {
  return {
    async list(scope, query) {
      const tenant = partitionOf(scope);
      const day = parseDay(query.date);
      if (!day) throw new GatewayError('invalid_request', 'date must be a calendar day as YYYY-MM-DD.', { param: 'date' });
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
        throw new GatewayError('invalid_request', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`, { param: 'limit' });
      }
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.date);
      const prefix = dayPrefix(tenant, day);
      const listing = classify(await sink.list(prefix));
      // Newest first over both layouts: single ids, and batches ordered by their newest id, which
      // is an upper bound of what they hold; a batch is read only when it can reach this page.
      const singles = listing.singles.filter((id) => after === undefined || id < after).sort().reverse();
      const batches = listing.batches.filter((b) => after === undefined || b.range.first < after).sort((a, b) => (a.range.last < b.range.last ? 1 : -1));
      const known: AuditRecord[] = []; // records read from batches, not yet returned
      const records: AuditRecord[] = [];
      const returned = new Set<string>();
      let lastExamined: string | undefined;
      let si = 0;
      let bi = 0;
      const take = (record: AuditRecord): void => {
        lastExamined = record.id;
        if (returned.has(record.id)) return; // the same record in both layouts (a layout switch redelivered it)
        returned.add(record.id);
        records.push(record);
      };
      while (records.length < limit) {
        const topKnown = known[0]?.id;
        const topSingle = singles[si];
        const topBatch = batches[bi]?.range.last;
        const best = [topKnown, topSingle, topBatch].filter((v): v is string => v !== undefined).sort().pop();
        if (best === undefined) break;
        if (best === topBatch) {
          const batch = batches[bi++] as DayListing['batches'][number];
          const text = await sink.get(prefix + batch.name);
          if (text !== undefined) {
            known.push(...parseBatch(text, tenant, query.date, batch.range).filter((r) => after === undefined || r.id < after));
            known.sort((a, b) => (a.id < b.id ? 1 : -1));
          }
        } else if (best === topKnown) {
          take(known.shift() as AuditRecord);
        } else {
          // A run of single-record objects newer than anything batched: fetch them together.
          const bound = [topKnown, topBatch].filter((v): v is string => v !== undefined).sort().pop();
          const slice: string[] = [];
          while (slice.length < limit - records.length && si < singles.length && (bound === undefined || (singles[si] as string) > bound)) slice.push(singles[si++] as string);
          const texts = await Promise.all(slice.map((id) => sink.get(`${prefix}${id}.json`)));
          texts.forEach((text, i) => {
            const id = slice[i] as string;
            const record = text === undefined ? undefined : parseRecord(text, tenant, id);
            if (record) take(record);
            else lastExamined = id;
          });
        }
      }
      const more = known.length > 0 || si < singles.length || bi < batches.length;
      const nextCursor = more && lastExamined ? encodeCursor(query.date, lastExamined) : null;
      return { records, nextCursor };
    },

    async get(scope, logId) {
      const tenant = partitionOf(scope);
      if (!isLogId(logId)) return undefined;
      const text = await sink.get(recordKey(tenant, logId));
      if (text !== undefined) return parseRecord(text, tenant, logId);
      // Not a single-record object: look in the batches of its day whose id range covers it.
      const day = dayOf(logIdTimeMs(logId));
      const prefix = dayPrefix(tenant, day);
      for (const batch of classify(await sink.list(prefix)).batches) {
        if (!inBatchRange(batch.range, logId)) continue;
        const body = await sink.get(prefix + batch.name);
        const record = body === undefined ? undefined : parseBatch(body, tenant, formatDay(day), batch.range).find((r) => r.id === logId);
        if (record) return record;
      }
      return undefined;
    },
  };
}
