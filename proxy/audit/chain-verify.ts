import type { AuditRecord } from './audit-record.js';
import { hashMatches } from './hash-chain.js';
import { dayOf, formatDay, isLogId, logIdOfName, logIdTimeMs } from './audit-key.js';
import { batchLines, batchRangeOfName, inBatchRange } from './batch-layout.js';

/**
 * Checks the hash chains of one tenant-day (all instances) and names every record that was
 * edited or deleted, over both layouts (one-record `{logId}.json` files and batch
 * `{first}_{last}.ndjson` files, mixed in one day too). Pure: the caller reads the files.
 */

export interface ChainProblem {
  readonly kind: 'unreadable' | 'misplaced' | 'edited' | 'missing' | 'relinked' | 'duplicate';
  /** The record the problem is about (for `missing`: the deleted record's id when known). */
  readonly logId: string | null;
  readonly instance: string | null;
  readonly message: string;
}

export interface ChainSummary {
  readonly instance: string;
  readonly records: number;
  readonly lastSeq: number;
  /** Hash of the newest record: anchor it elsewhere to make deleting the tail evident too. */
  readonly headHash: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly records: number;
  readonly chains: readonly ChainSummary[];
  readonly problems: readonly ChainProblem[];
}

export interface StoredFile {
  readonly name: string;
  readonly text: string;
}

function parse(text: string): AuditRecord | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as AuditRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** One stored record: its text, the id its place claims, and whether that place (a batch's range) holds it. */
interface Entry {
  readonly text: string;
  readonly claimedId: string;
  readonly where: string;
  readonly inPlace: (id: string) => boolean;
}

/** Every record entry of the day's files; unreadable batch lines become problems. */
function entries(files: readonly StoredFile[], problems: ChainProblem[]): Entry[] {
  const out: Entry[] = [];
  for (const file of files) {
    const fileId = logIdOfName(file.name);
    if (fileId) {
      out.push({ text: file.text, claimedId: fileId, where: `record ${fileId}`, inPlace: (id) => id === fileId });
      continue;
    }
    const range = batchRangeOfName(file.name);
    if (!range) continue;
    batchLines(file.text).forEach((line, i) => {
      const record = parse(line);
      const id = typeof record?.id === 'string' && isLogId(record.id) ? record.id : undefined;
      if (!id) {
        problems.push({ kind: 'unreadable', logId: null, instance: null, message: `line ${i + 1} of batch ${file.name} is not a readable audit record (edited)` });
        return;
      }
      out.push({ text: line, claimedId: id, where: `record ${id} (batch ${file.name})`, inPlace: (candidate) => inBatchRange(range, candidate) });
    });
  }
  return out;
}

/** Verifies the files of `audit/{tenant}/{date}/`. */
export function verifyDay(tenant: string, date: string, files: readonly StoredFile[]): VerifyReport {
  const problems: ChainProblem[] = [];
  const byInstance = new Map<string, AuditRecord[]>();
  const intact = new Set<AuditRecord>();
  /** Intact records by id: a second identical copy (a layout switch redelivered it) is not a break. */
  const seen = new Map<string, string>();
  let records = 0;
  for (const entry of entries(files, problems)) {
    const fileId = entry.claimedId;
    const record = parse(entry.text);
    if (!record || typeof record.instance !== 'string' || typeof record.seq !== 'number') {
      records++;
      problems.push({ kind: 'unreadable', logId: fileId, instance: null, message: `${entry.where} is not a readable audit record (edited)` });
      continue;
    }
    if (typeof record.hash === 'string' && seen.get(record.id) === record.hash && hashMatches(record)) continue;
    records++;
    if (record.id !== fileId || !entry.inPlace(record.id) || record.tenant !== tenant || formatDay(dayOf(logIdTimeMs(fileId))) !== date) {
      problems.push({ kind: 'misplaced', logId: fileId, instance: record.instance, message: `record ${fileId} does not belong at this path (its id, tenant or day was edited)` });
    } else if (!hashMatches(record)) {
      problems.push({ kind: 'edited', logId: fileId, instance: record.instance, message: `record ${fileId} (instance ${record.instance}, seq ${record.seq}) was edited: its content does not match its hash` });
    } else {
      intact.add(record);
      seen.set(record.id, record.hash);
    }
    const list = byInstance.get(record.instance) ?? [];
    list.push(record);
    byInstance.set(record.instance, list);
  }

  const chains: ChainSummary[] = [];
  for (const [instance, list] of [...byInstance].sort(([a], [b]) => (a < b ? -1 : 1))) {
    list.sort((a, b) => a.seq - b.seq);
    let prev: AuditRecord | undefined;
    for (const record of list) {
      const expectedSeq = prev ? prev.seq + 1 : 1;
      if (prev && record.seq === prev.seq) {
        problems.push({ kind: 'duplicate', logId: record.id, instance, message: `records ${prev.id} and ${record.id} both claim seq ${record.seq} of instance ${instance}` });
        continue;
      }
      if (record.seq > expectedSeq) {
        const gap = record.seq - expectedSeq;
        const deletedId = typeof record.prevId === 'string' ? record.prevId : null;
        const more = gap > 1 ? ` and ${gap - 1} record(s) before it (seq ${expectedSeq}..${record.seq - 2})` : '';
        problems.push({
          kind: 'missing',
          logId: deletedId,
          instance,
          message: `record ${deletedId ?? '(unknown id)'} (instance ${instance}, seq ${record.seq - 1}) is missing (deleted)${more}; it precedes ${record.id}`,
        });
      } else if (prev && intact.has(prev) && intact.has(record) && (record.prevHash !== prev.hash || record.prevId !== prev.id)) {
        problems.push({
          kind: 'relinked',
          logId: prev.id,
          instance,
          message: `record ${prev.id} (seq ${prev.seq}) or its successor ${record.id} was rewritten: the chain link between them does not match`,
        });
      } else if (!prev && record.seq === 1 && intact.has(record) && (record.prevHash !== null || record.prevId !== null)) {
        problems.push({ kind: 'relinked', logId: record.id, instance, message: `record ${record.id} claims seq 1 but links to a predecessor (rewritten)` });
      }
      prev = record;
    }
    const head = list[list.length - 1];
    if (head) chains.push({ instance, records: list.length, lastSeq: head.seq, headHash: head.hash });
  }
  return { ok: problems.length === 0, records, chains, problems };
}
