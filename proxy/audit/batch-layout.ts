import { dayOf, dayPrefix, isLogId, logIdTimeMs } from './audit-key.js';

/**
 * The batched layout (`audit.layout: batched`): one newline-delimited object per tenant, UTC day
 * and flush interval at `audit/{tenant}/{yyyy}/{mm}/{dd}/{firstLogId}_{lastLogId}.ndjson`, next
 * to (and readable together with) the one-record `{logId}.json` objects of the records layout.
 * The name is built from the records inside it: the smallest and largest log id. That makes it
 * time-sortable, unique (no record is in two batches, and log ids are unique across
 * instances), and deterministic, so a batch redelivered after a crash overwrites the same key
 * with the same bytes. The range lets a reader find a record's batch without opening the others.
 */

export const BATCH_SUFFIX = '.ndjson';

/** The id range a batch object's name declares. */
export interface BatchRange {
  readonly first: string;
  readonly last: string;
}

/** The object key of a batch of `partition` whose records' ids span `first`..`last` (one UTC day). */
export function batchKey(partition: string, first: string, last: string): string {
  if (!isLogId(first) || !isLogId(last) || first > last) throw new TypeError('invalid audit batch id range');
  return `${dayPrefix(partition, dayOf(logIdTimeMs(first)))}${first}_${last}${BATCH_SUFFIX}`;
}

/** The id range a listed name stands for, or undefined when it is not a batch object's name. */
export function batchRangeOfName(name: string): BatchRange | undefined {
  if (!name.endsWith(BATCH_SUFFIX) || name.length !== 36 * 2 + 1 + BATCH_SUFFIX.length || name[36] !== '_') return undefined;
  const first = name.slice(0, 36);
  const last = name.slice(37, 73);
  return isLogId(first) && isLogId(last) && first <= last ? { first, last } : undefined;
}

/** True when `logId` falls within the range a batch's name declares. */
export function inBatchRange(range: BatchRange, logId: string): boolean {
  return range.first <= logId && logId <= range.last;
}

/** The non-empty lines of a batch object (each should be one record's JSON). */
export function batchLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
