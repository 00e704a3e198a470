import type { TenantScope } from '../identity/tenant-scope.js';
import { ERROR_CATALOG, type ErrorCode } from '../errors/catalog.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AuditReader } from '../audit/audit-reader.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../audit/audit-reader.js';
import { isLogId } from '../audit/audit-key.js';

/**
 * The audit endpoints of the admin API, as pure functions the admin router calls after it
 * authorized the caller:
 *   GET /admin/v1/audit?date=YYYY-MM-DD&cursor=…&limit=…  → list, newest first
 *   GET /admin/v1/audit/{logId}                             → one record
 * Both read only the caller's own tenant's partition; any other id answers 404.
 */

export interface AuditHandlerResult {
  readonly status: number;
  readonly body: unknown;
}

const digitsOnly = (value: string): boolean => value.length > 0 && value.length <= 6 && [...value].every((c) => c >= '0' && c <= '9');

function errorResult(code: ErrorCode, message: string, param: string | null = null): AuditHandlerResult {
  const entry = ERROR_CATALOG[code];
  return { status: entry.status, body: { error: { message, type: entry.openaiType, code, param } } };
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `GET /admin/v1/audit`: `{object:'list', data, next_cursor, has_more}`; 400 on a bad date, cursor or limit. */
export async function listAuditRecords(reader: AuditReader, scope: TenantScope, query: URLSearchParams): Promise<AuditHandlerResult> {
  const date = query.get('date') ?? todayUtc();
  const cursor = query.get('cursor') ?? undefined;
  const limitText = query.get('limit');
  let limit = DEFAULT_PAGE_SIZE;
  if (limitText !== null) {
    limit = digitsOnly(limitText) ? Number(limitText) : Number.NaN;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      return errorResult('invalid_request', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`, 'limit');
    }
  }
  try {
    const page = await reader.list(scope, { date, limit, ...(cursor ? { cursor } : {}) });
    return { status: 200, body: { object: 'list', data: page.records, next_cursor: page.nextCursor, has_more: page.nextCursor !== null } };
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'invalid_request') return errorResult(err.code, err.message, err.param);
    throw err;
  }
}

/** `GET /admin/v1/audit/{logId}`: the record, or 404 `not_found` when absent, malformed or another tenant's. */
export async function getAuditRecord(reader: AuditReader, scope: TenantScope, logId: string): Promise<AuditHandlerResult> {
  const notFound = errorResult('not_found', 'No audit record with that id.');
  // Only a canonical UUIDv7 can name a record: nothing else reaches the storage layer.
  if (!isLogId(logId)) return notFound;
  const record = await reader.get(scope, logId);
  return record ? { status: 200, body: record } : notFound;
}
