import type { AuditRecord } from './audit-record.js';

/**
 * One spool line: `{"at":<epoch ms>,"tenant":"<partition>","id":"<logId>","record":<record JSON>}`.
 * The record's JSON text is last and kept exactly as written, so the deliverer slices it out and
 * stores those bytes without parsing and re-serialising the record; tenant and id (the object
 * key) sit in a fixed header in front of it. The line is still plain JSON, so older readers (and
 * people with `jq`) can read it. Lines an earlier version wrote, `{"at":…,"record":{…}}`, are
 * still read (fully parsed, then re-serialised).
 */

export interface SpoolLine {
  /** Epoch ms the spool took the record (never decreasing within a segment this version wrote). */
  readonly at: number;
  readonly tenant: string;
  readonly id: string;
  /** The record's JSON text, exactly the bytes the sink stores (without the newline). */
  readonly json: string;
  /** Offset in the segment just after this line's newline. */
  readonly end: number;
  /** Position of the line among the lines a chunk consumed (unreadable ones included). */
  readonly ordinal: number;
}

/** The line for `record` (with its newline). Tenant and id were validated as key parts before. */
export function formatSpoolLine(at: number, record: AuditRecord, json: string = JSON.stringify(record)): string {
  return `{"at":${at},"tenant":${JSON.stringify(record.tenant)},"id":${JSON.stringify(record.id)},"record":${json}}\n`;
}

const HEAD = '{"at":';
const TENANT = ',"tenant":"';
const ID = '","id":"';
const RECORD = '","record":';

/** Reads `"…"`-free text from `start` up to the next quote; undefined when there is none. */
function until(text: string, start: number, stop: string): { value: string; next: number } | undefined {
  const at = text.indexOf(stop, start);
  return at === -1 ? undefined : { value: text.slice(start, at), next: at + stop.length };
}

/** The fast path: a line this version wrote. Undefined when the header is not exactly ours. */
function parseCurrent(text: string): Omit<SpoolLine, 'end' | 'ordinal'> | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const at = until(text, HEAD.length, TENANT);
  if (!at) return undefined;
  const atMs = Number(at.value);
  const tenant = until(text, at.next, ID);
  if (!Number.isSafeInteger(atMs) || !tenant || tenant.value.includes('"')) return undefined;
  const id = until(text, tenant.next, RECORD);
  if (!id || id.value.includes('"')) return undefined;
  // The record object runs to the line's closing brace.
  if (text.charCodeAt(id.next) !== 123 || !text.endsWith('}}')) return undefined;
  return { at: atMs, tenant: tenant.value, id: id.value, json: text.slice(id.next, -1) };
}

/** A line an earlier version wrote: `{"at":…,"record":{…}}`. */
function parseLegacy(text: string): Omit<SpoolLine, 'end' | 'ordinal'> | undefined {
  try {
    const value = JSON.parse(text) as { at?: unknown; record?: unknown } | null;
    if (!value || typeof value.at !== 'number' || !value.record || typeof value.record !== 'object' || Array.isArray(value.record)) return undefined;
    const record = value.record as Partial<Record<'tenant' | 'id', unknown>>;
    return { at: value.at, tenant: String(record.tenant), id: String(record.id), json: JSON.stringify(value.record) };
  } catch {
    return undefined;
  }
}

/** Parses one line (without its newline); undefined for a torn or zero-filled tail after a crash. */
export function parseSpoolLine(text: string, end: number, ordinal: number): SpoolLine | undefined {
  const line = parseCurrent(text) ?? parseLegacy(text);
  return line ? { ...line, end, ordinal } : undefined;
}
