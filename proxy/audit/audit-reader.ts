import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuditRecord } from './audit-record.js';
import type { AuditSink } from './sink.js';
import { dayPrefix, isLogId, isTenantId, logIdOfName, parseDay, recordKey } from './audit-key.js';

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

/** A reader over a sink's layout (file directory or S3 bucket). */
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
      const ids = (await sink.list(prefix))
        .map(logIdOfName)
        .filter((id): id is string => id !== undefined && (after === undefined || id < after))
        .sort()
        .reverse();
      const records: AuditRecord[] = [];
      let index = 0;
      // Read a little more than a page so a record deleted between list and read does not shorten it.
      while (records.length < limit && index < ids.length) {
        const slice = ids.slice(index, index + (limit - records.length));
        index += slice.length;
        const texts = await Promise.all(slice.map((id) => sink.get(`${prefix}${id}.json`)));
        texts.forEach((text, i) => {
          const record = text === undefined ? undefined : parseRecord(text, tenant, slice[i] as string);
          if (record) records.push(record);
        });
      }
      const lastExamined = ids[index - 1];
      const nextCursor = index < ids.length && lastExamined ? encodeCursor(query.date, lastExamined) : null;
      return { records, nextCursor };
    },

    async get(scope, logId) {
      const tenant = partitionOf(scope);
      if (!isLogId(logId)) return undefined;
      const text = await sink.get(recordKey(tenant, logId));
      return text === undefined ? undefined : parseRecord(text, tenant, logId);
    },
  };
}

