import RE2 from 're2';

/**
 * The storage layout of the audit log: `audit/{tenantId}/{yyyy}/{mm}/{dd}/{logId}.json`, UTC.
 * Every part of a key is validated here, so no key can escape its tenant's partition.
 */

/** Operator partition for requests that never identified a tenant (401). No tenant id can match it. */
export const UNAUTHENTICATED_PARTITION = '_unauthenticated';

const dateRe = new RE2('^(\\d{4})-(\\d{2})-(\\d{2})$');

function isLowerAlnum(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/**
 * True for a tenant id the config schema accepts (its `TENANT_ID_PATTERN`; never the operator
 * partition). A character walk rather than the pattern: it runs for every record delivered, and
 * an RE2 call costs a UTF-8 copy of the string each time.
 */
export function isTenantId(value: string): boolean {
  if (value.length === 0 || value.length > 63 || !isLowerAlnum(value.charCodeAt(0))) return false;
  for (let i = 1; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== 45 && !isLowerAlnum(code)) return false;
  }
  return true;
}

/** True for a partition name a record may live in: a tenant id or the operator partition. */
export function isPartition(value: string): boolean {
  return value === UNAUTHENTICATED_PARTITION || isTenantId(value);
}

const HYPHENS = new Set([8, 13, 18, 23]);

function isLowerHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
}

/**
 * True for a well-formed log id: a lowercase canonical UUIDv7 (version nibble 7, RFC 9562
 * variant). A character walk rather than a pattern: it runs for every record written and read.
 */
export function isLogId(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (HYPHENS.has(i) ? code !== 45 : !isLowerHex(code)) return false;
  }
  // Version nibble 7; variant 10xx (8, 9, a or b).
  const variant = value.charCodeAt(19);
  return value.charCodeAt(14) === 55 && (variant === 56 || variant === 57 || variant === 97 || variant === 98);
}

/** Milliseconds since the epoch encoded in a UUIDv7's first 48 bits. */
export function logIdTimeMs(logId: string): number {
  return Number.parseInt(logId.slice(0, 8) + logId.slice(9, 13), 16);
}

/** A UTC calendar day as its three key parts. */
export interface AuditDay {
  readonly yyyy: string;
  readonly mm: string;
  readonly dd: string;
}

/** The UTC day of an epoch-milliseconds instant. */
export function dayOf(ms: number): AuditDay {
  const iso = new Date(ms).toISOString();
  return { yyyy: iso.slice(0, 4), mm: iso.slice(5, 7), dd: iso.slice(8, 10) };
}

/** `YYYY-MM-DD` of a day. */
export function formatDay(day: AuditDay): string {
  return `${day.yyyy}-${day.mm}-${day.dd}`;
}

/** Parses a strict `YYYY-MM-DD` that names a real calendar day; undefined otherwise. */
export function parseDay(value: string): AuditDay | undefined {
  const m = dateRe.exec(value);
  if (!m) return undefined;
  const [, yyyy = '', mm = '', dd = ''] = m;
  const ms = Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd));
  // Date.UTC rolls 2026-02-30 over to March; a real day survives the round trip.
  if (Number.isNaN(ms) || formatDay(dayOf(ms)) !== value) return undefined;
  return { yyyy, mm, dd };
}

function assertPartition(partition: string): void {
  if (!isPartition(partition)) throw new TypeError(`invalid audit partition ${JSON.stringify(partition)}`);
}

/** `audit/{partition}/{yyyy}/{mm}/{dd}/` — the folder (key prefix) of one tenant-day. */
export function dayPrefix(partition: string, day: AuditDay): string {
  assertPartition(partition);
  return `audit/${partition}/${day.yyyy}/${day.mm}/${day.dd}/`;
}

/** The object key of one record; the day comes from the log id's timestamp (= the record's time). */
export function recordKey(partition: string, logId: string): string {
  if (!isLogId(logId)) throw new TypeError('invalid audit log id');
  return `${dayPrefix(partition, dayOf(logIdTimeMs(logId)))}${logId}.json`;
}

/** The log id a listed file/object name stands for, or undefined for anything else (temp files, strays). */
export function logIdOfName(name: string): string | undefined {
  if (!name.endsWith('.json')) return undefined;
  const id = name.slice(0, -'.json'.length);
  return isLogId(id) ? id : undefined;
}
