import type { FileHandle } from 'node:fs/promises';
import { dayOf, formatDay, isLogId, isPartition, logIdTimeMs, recordKey } from './audit-key.js';
import { batchKey } from './batch-layout.js';
import type { AuditSink } from './sink.js';
import type { SpoolLine } from './spool-line.js';
import { readSpoolChunk } from './spool-reader.js';
import type { SpoolSegment } from './spool.js';

/**
 * What one delivery round takes from the spool and stores: the objects to put, and how far the
 * checkpoint may move once the sink confirmed (and synced) all of them. Both layouts read here.
 */

export interface SinkObject {
  readonly key: string;
  readonly body: string;
  readonly records: number;
}

export interface DeliveryRound {
  readonly objects: SinkObject[];
  /** Offset just after the last line this round consumes. */
  readonly end: number;
  /** Lines consumed (unreadable ones included). */
  readonly consumed: number;
  /** Unreadable lines among them, plus records whose tenant or id cannot form a key. */
  readonly skipped: number;
  /** Spool time of the oldest record in the round (or in the open batch), or null when there is none. */
  readonly oldestAt: number | null;
  /** Nothing to consume yet: a batch is still open until this epoch ms (batched layout only). */
  readonly openUntil?: number;
}

export interface RoundSource {
  readonly handle: FileHandle;
  readonly segment: SpoolSegment;
  readonly offset: number;
  /** The smallest `at` a line committed from now on can carry (Spool.atFloor). */
  readonly atFloor: () => number;
}

function oldest(lines: readonly SpoolLine[]): number | null {
  let min: number | null = null;
  for (const line of lines) if (min === null || line.at < min) min = line.at;
  return min;
}

/** Records layout: up to `maxLines` lines, one object per record at its own key. */
export async function readRecordsRound(source: RoundSource, maxLines: number): Promise<DeliveryRound> {
  const { segment } = source;
  const chunk = await readSpoolChunk(source.handle, source.offset, segment.readLimit, maxLines, segment.sealed);
  const objects: SinkObject[] = [];
  let skipped = chunk.corrupt;
  for (const line of chunk.lines) {
    let key: string;
    try {
      key = recordKey(line.tenant, line.id);
    } catch {
      skipped++;
      continue;
    }
    objects.push({ key, body: `${line.json}\n`, records: 1 });
  }
  return { objects, end: chunk.end, consumed: chunk.consumed, skipped, oldestAt: oldest(chunk.lines) };
}

export interface BatchLimits {
  /** Length of a batch window (`audit.batchFlushMs`). */
  readonly flushMs: number;
  /** A batch closes after this many records even within its window. */
  readonly maxRecords: number;
  /** …or once its records reach this many bytes. */
  readonly maxBytes: number;
}

interface Run {
  readonly lines: SpoolLine[];
  bytes: number;
  /** Closed by a size limit: complete without seeing the next line. */
  full: boolean;
}

/**
 * Splits lines into batches by a rule that depends on the lines alone: a batch is a maximal run
 * of consecutive lines whose spool time falls in the same `flushMs` window, closed early by the
 * size limits. Starting from any batch boundary (where the checkpoint always is), a rerun after
 * a crash cuts exactly the same batches, so the redelivered objects have the same names and bytes.
 */
function splitRuns(lines: readonly SpoolLine[], limits: BatchLimits): Run[] {
  const runs: Run[] = [];
  let run: Run | undefined;
  for (const line of lines) {
    const window = Math.floor(line.at / limits.flushMs);
    const prev = run?.lines[run.lines.length - 1];
    if (!run || run.full || Math.floor((prev as SpoolLine).at / limits.flushMs) !== window) {
      run = { lines: [], bytes: 0, full: false };
      runs.push(run);
    }
    run.lines.push(line);
    run.bytes += line.json.length + 1;
    run.full = run.lines.length >= limits.maxRecords || run.bytes >= limits.maxBytes;
  }
  return runs;
}

/** One object per tenant and UTC day of a batch (a batch never mixes tenants or days). */
function runObjects(run: Run): { objects: SinkObject[]; skipped: number } {
  const groups = new Map<string, { tenant: string; lines: SpoolLine[] }>();
  let skipped = 0;
  for (const line of run.lines) {
    if (!isPartition(line.tenant) || !isLogId(line.id)) {
      skipped++;
      continue;
    }
    const group = `${line.tenant}/${formatDay(dayOf(logIdTimeMs(line.id)))}`;
    const entry = groups.get(group) ?? { tenant: line.tenant, lines: [] };
    entry.lines.push(line);
    groups.set(group, entry);
  }
  const objects: SinkObject[] = [];
  for (const { tenant, lines } of groups.values()) {
    let first = lines[0]?.id as string;
    let last = first;
    for (const line of lines) {
      if (line.id < first) first = line.id;
      if (line.id > last) last = line.id;
    }
    objects.push({ key: batchKey(tenant, first, last), body: lines.map((l) => `${l.json}\n`).join(''), records: lines.length });
  }
  return { objects, skipped };
}

/**
 * Batched layout: reads up to one full batch past the offset and returns every batch that is
 * complete: followed by a line of a later window, full, at the end of a sealed segment, or in a
 * window the spool can no longer append to. An open batch is left for a later round.
 */
export async function readBatchedRound(source: RoundSource, limits: BatchLimits): Promise<DeliveryRound> {
  const { segment } = source;
  const limit = segment.readLimit;
  const lines: SpoolLine[] = [];
  let offset = source.offset;
  let consumed = 0;
  let corrupt = 0;
  while (lines.length < limits.maxRecords && offset < limit) {
    const chunk = await readSpoolChunk(source.handle, offset, limit, limits.maxRecords, segment.sealed);
    if (chunk.consumed === 0) break;
    for (const line of chunk.lines) lines.push({ ...line, ordinal: consumed + line.ordinal });
    consumed += chunk.consumed;
    corrupt += chunk.corrupt;
    offset = chunk.end;
  }
  const readAll = offset >= limit;
  const runs = splitRuns(lines, limits);
  const tail = runs[runs.length - 1];
  let tailComplete = true;
  let openUntil: number | undefined;
  if (tail && !tail.full && !(readAll && segment.sealed)) {
    // Checked in one tick with the limit: a line the spool committed after our read moved the limit.
    const windowEnd = (Math.floor((tail.lines[0] as SpoolLine).at / limits.flushMs) + 1) * limits.flushMs;
    tailComplete = readAll && segment.readLimit === limit && source.atFloor() >= windowEnd;
    if (!tailComplete) openUntil = windowEnd;
  }
  const complete = tailComplete ? runs : runs.slice(0, -1);
  const objects: SinkObject[] = [];
  let skipped = 0;
  for (const run of complete) {
    const out = runObjects(run);
    objects.push(...out.objects);
    skipped += out.skipped;
  }
  const taken = complete.flatMap((run) => run.lines);
  if (tailComplete) return { objects, end: offset, consumed, skipped: skipped + corrupt, oldestAt: oldest(taken) };
  const lastTaken = taken[taken.length - 1];
  if (!lastTaken) return { objects: [], end: source.offset, consumed: 0, skipped: 0, oldestAt: oldest(lines), ...(openUntil !== undefined ? { openUntil } : {}) };
  // Stop right after the last complete batch; unreadable lines before it are consumed with it.
  const takenConsumed = lastTaken.ordinal + 1;
  return { objects, end: lastTaken.end, consumed: takenConsumed, skipped: skipped + (takenConsumed - taken.length), oldestAt: oldest(taken) };
}

/** Puts objects, at most `concurrency` at once; returns the ones that failed (each reported to `onError`). */
export async function putObjects(sink: AuditSink, objects: readonly SinkObject[], concurrency: number, onError: (err: unknown) => void): Promise<SinkObject[]> {
  const failed: SinkObject[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const object = objects[next++] as SinkObject;
      try {
        await sink.put(object.key, object.body);
      } catch (err) {
        onError(err);
        failed.push(object);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, objects.length) }, worker));
  return failed;
}
