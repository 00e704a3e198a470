import type { AuditRecord } from './audit-record.js';
import { recordHash } from './hash-chain.js';
import { dayOf, formatDay, logIdOfName, logIdTimeMs } from './audit-key.js';

/**
 * Checks the hash chains of one tenant-day (all instances) and names every record that was
 * edited or deleted. Pure: the caller reads the files.
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

/** Verifies the files of `audit/{tenant}/{date}/`. */
export function verifyDay(tenant: string, date: string, files: readonly StoredFile[]): VerifyReport {
  const problems: ChainProblem[] = [];
  const byInstance = new Map<string, AuditRecord[]>();
  const intact = new Set<AuditRecord>();
  let records = 0;
  for (const file of files) {
    const fileId = logIdOfName(file.name);
    if (!fileId) continue;
    records++;
    const record = parse(file.text);
    if (!record || typeof record.instance !== 'string' || typeof record.seq !== 'number') {
      problems.push({ kind: 'unreadable', logId: fileId, instance: null, message: `record ${fileId} is not a readable audit record (edited)` });
      continue;
    }
    if (record.id !== fileId || record.tenant !== tenant || formatDay(dayOf(logIdTimeMs(fileId))) !== date) {
      problems.push({ kind: 'misplaced', logId: fileId, instance: record.instance, message: `record ${fileId} does not belong at this path (its id, tenant or day was edited)` });
    } else if (recordHash(record) !== record.hash) {
      problems.push({ kind: 'edited', logId: fileId, instance: record.instance, message: `record ${fileId} (instance ${record.instance}, seq ${record.seq}) was edited: its content does not match its hash` });
    } else {
      intact.add(record);
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
