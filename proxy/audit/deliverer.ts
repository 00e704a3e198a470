import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditSink } from './sink.js';
import type { Spool, SpoolSegment } from './spool.js';
import { putObjects, readBatchedRound, readRecordsRound, type DeliveryRound, type SinkObject } from './delivery-round.js';

/**
 * Moves spooled records to the sink, oldest segment first, one round at a time. A round's
 * objects are put with bounded concurrency and retried with exponential backoff until the sink
 * confirmed every one, then `sink.sync()` makes them durable in one step; only then does the
 * checkpoint advance (in memory, saved at most once a second), and a sealed segment is deleted
 * once all of it is confirmed. Keys are deterministic (the record's own `{id}.json`, or a batch
 * named by its records' id range), so a round redelivered after a crash or a timeout
 * overwrites the same objects with the same bytes: each record ends up in the sink once.
 */

export type AuditLayout = 'records' | 'batched';

export interface DelivererOptions {
  readonly spool: Spool;
  readonly sink: AuditSink;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** `records` (default): one object per record; `batched`: one NDJSON object per tenant, day and window. */
  readonly layout?: AuditLayout;
  /**
   * Records layout: a round smaller than `batchSize` waits until its oldest record is this old
   * (default 50 ms), so a trickle of requests does not pay a sink sync (a syncfs or an fdatasync
   * per file, and an fsync per directory) per record. The records are durable in the spool meanwhile.
   */
  readonly roundLingerMs?: number;
  /** Batch window of the batched layout (default 1000 ms). */
  readonly batchFlushMs?: number;
  /** A batch closes early at this many records (default 10,000) … */
  readonly batchMaxRecords?: number;
  /** … or bytes (default 8 MiB). */
  readonly batchMaxBytes?: number;
}

interface Checkpoint {
  segment: string;
  offset: number;
  lines: number;
}

export interface DelivererStats {
  delivered: number;
  /** Failed delivery attempts (one per failed batch attempt). */
  failedAttempts: number;
  corruptLines: number;
  /** Epoch ms of the oldest record not yet confirmed by the sink, or null when caught up. */
  oldestPendingAt: number | null;
  /** Lines of the current segment already confirmed (subtract from the spool's line count). */
  deliveredInCurrent: number;
  lastError: string | null;
}

/** How often the delivery checkpoint is written while records flow (a segment's end always writes it). */
const CHECKPOINT_EVERY_MS = 1000;

export class Deliverer {
  readonly #o: Required<Omit<DelivererOptions, 'logger' | 'spool' | 'sink'>> & Pick<DelivererOptions, 'logger' | 'spool' | 'sink'>;
  readonly #checkpointPath: string;
  #cursor: Checkpoint = { segment: '', offset: 0, lines: 0 };
  #stopped = false;
  #loop?: Promise<void>;
  /** Set by a spool change; an idle wait returns at once when set. */
  #changed = false;
  #wakeIdle?: () => void;
  #wakeBackoff?: () => void;
  #unsubscribe?: () => void;
  readonly #stats: DelivererStats = { delivered: 0, failedAttempts: 0, corruptLines: 0, oldestPendingAt: null, deliveredInCurrent: 0, lastError: null };
  #outage = false;
  /** Epoch ms of the last checkpoint write; the cursor may run ahead of it by up to CHECKPOINT_EVERY_MS. */
  #checkpointedAt = 0;
  #checkpointDirty = false;
  /** The oldest segment, kept open while it is being read. */
  #reader?: { readonly segment: string; readonly handle: FileHandle };

  constructor(options: DelivererOptions) {
    const defaults = { batchSize: 256, concurrency: 32, retryBaseMs: 100, retryMaxMs: 10_000, layout: 'records' as const, roundLingerMs: 50 };
    this.#o = { ...defaults, batchFlushMs: 1000, batchMaxRecords: 10_000, batchMaxBytes: 8 * 1024 * 1024, ...options };
    this.#checkpointPath = join(options.spool.dir, 'checkpoint.json');
  }

  /** Starts delivering, from the checkpoint an earlier process left if any. */
  async start(): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(this.#checkpointPath, 'utf8')) as Checkpoint;
      if (typeof saved.segment === 'string' && Number.isInteger(saved.offset) && Number.isInteger(saved.lines)) this.#cursor = saved;
    } catch {
      // No checkpoint: start at the beginning of the oldest segment (redelivery is idempotent).
    }
    this.#unsubscribe = this.#o.spool.onChange(() => {
      this.#changed = true;
      this.#wakeIdle?.();
    });
    this.#loop = this.#run().catch((err: unknown) => {
      this.#o.logger.error({ err }, 'audit deliverer stopped unexpectedly');
    });
  }

  stats(): DelivererStats {
    return { ...this.#stats, deliveredInCurrent: this.#cursor.lines };
  }

  /** Resolves when every segment was delivered and removed, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#o.spool.segments().length > 0 && !this.#stopped) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.#o.spool.segments().length === 0;
  }

  /** Stops after the current attempt; undelivered records stay in the spool for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#wakeIdle?.();
    this.#wakeBackoff?.();
    await this.#loop;
    await this.#closeReader();
    if (this.#checkpointDirty) await this.#saveCheckpoint().catch((err: unknown) => this.#o.logger.warn({ error: describe(err) }, 'audit deliverer: checkpoint not saved at stop; the next start redelivers'));
  }

  /** Waits for new spooled data (or a poll interval); returns at once if some arrived meanwhile. */
  #waitForChange(): Promise<void> {
    if (this.#changed || this.#stopped) {
      this.#changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeIdle = undefined;
        this.#changed = false;
        resolve();
      };
      // Unref'd: an idle deliverer must not keep a process alive (the spool is durable anyway).
      const timer = setTimeout(done, 1000).unref();
      this.#wakeIdle = done;
    });
  }

  /** Backoff pause: new appends do not shorten it (they arrive constantly under load); stop does. */
  #backoff(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeBackoff = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms).unref();
      this.#wakeBackoff = done;
    });
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        await this.#step();
        failures = 0;
      } catch (err) {
        // Spool I/O failed (disk trouble): keep the loop alive and try again later, reopening the segment.
        await this.#closeReader();
        if (failures % 20 === 0) this.#o.logger.error({ error: describe(err) }, 'audit deliverer: spool read failed; retrying');
        failures++;
        await this.#backoff(Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** Math.min(failures, 20)));
      }
    }
  }

  /** One round: deliver the next complete part of the oldest segment, remove a finished one, or wait. */
  async #step(): Promise<void> {
    const segment = this.#o.spool.segments()[0];
    if (!segment) {
      this.#stats.oldestPendingAt = null;
      await this.#waitForChange();
      return;
    }
    if (this.#cursor.segment !== segment.name) this.#cursor = { segment: segment.name, offset: 0, lines: 0 };
    const round = await this.#readRound(segment);
    if (round.consumed === 0) {
      if (segment.sealed && this.#cursor.offset >= segment.readLimit) {
        await this.#finishSegment(segment);
      } else if (round.openUntil !== undefined && round.openUntil > Date.now()) {
        // A batch is open until its window ends: sleep until then instead of re-reading it on every commit.
        this.#stats.oldestPendingAt = round.oldestAt;
        await this.#backoff(round.openUntil - Date.now() + 1);
      } else {
        this.#stats.oldestPendingAt = null;
        await this.#waitForChange();
      }
      return;
    }
    if (this.#shouldLinger(segment, round)) {
      this.#stats.oldestPendingAt = round.oldestAt;
      await this.#backoff((round.oldestAt as number) + this.#o.roundLingerMs - Date.now());
      return;
    }
    if (round.skipped > 0) {
      this.#stats.corruptLines += round.skipped;
      this.#o.logger.warn({ segment: segment.name, lines: round.skipped }, 'audit spool: skipped unreadable lines (torn tail of an interrupted write, or a record with an invalid tenant or id)');
    }
    this.#stats.oldestPendingAt = round.oldestAt;
    if (!(await this.#deliver(round.objects))) return; // stopped mid-outage: the spool keeps them
    // Only now, with the round synced, may the cursor (and with it the checkpoint) move past it.
    this.#cursor = { segment: segment.name, offset: round.end, lines: this.#cursor.lines + round.consumed };
    this.#stats.delivered += round.objects.reduce((n, o) => n + o.records, 0);
    this.#checkpointDirty = true;
    if (Date.now() - this.#checkpointedAt >= CHECKPOINT_EVERY_MS) await this.#saveCheckpoint();
  }

  /** A small records-layout round of a segment still being written, whose oldest record is younger than the linger. */
  #shouldLinger(segment: SpoolSegment, round: DeliveryRound): boolean {
    if (this.#o.layout !== 'records' || segment.sealed || this.#stopped || round.oldestAt === null) return false;
    return round.consumed < this.#o.batchSize && Date.now() < round.oldestAt + this.#o.roundLingerMs;
  }

  async #readRound(segment: SpoolSegment): Promise<DeliveryRound> {
    const spool = this.#o.spool;
    const source = { handle: await this.#readerFor(segment), segment, offset: this.#cursor.offset, atFloor: () => spool.atFloor() };
    if (this.#o.layout === 'records') return readRecordsRound(source, this.#o.batchSize);
    return readBatchedRound(source, { flushMs: this.#o.batchFlushMs, maxRecords: this.#o.batchMaxRecords, maxBytes: this.#o.batchMaxBytes });
  }

  async #finishSegment(segment: SpoolSegment): Promise<void> {
    await this.#closeReader();
    await this.#o.spool.removeSegment(segment);
    this.#cursor = { segment: '', offset: 0, lines: 0 };
    await this.#saveCheckpoint();
  }

  async #saveCheckpoint(): Promise<void> {
    // Not fsync'd, and written at most about once a second: a checkpoint that lags or is lost
    // only means an idempotent redelivery (same keys, same bytes) after a crash.
    const temp = `${this.#checkpointPath}.tmp`;
    await writeFile(temp, JSON.stringify(this.#cursor));
    await rename(temp, this.#checkpointPath);
    this.#checkpointedAt = Date.now();
    this.#checkpointDirty = false;
  }

  /** The open handle of the segment being read: one open per segment instead of one per round. */
  async #readerFor(segment: SpoolSegment): Promise<FileHandle> {
    if (this.#reader?.segment === segment.name) return this.#reader.handle;
    await this.#closeReader();
    const handle = await open(segment.path, 'r');
    this.#reader = { segment: segment.name, handle };
    return handle;
  }

  async #closeReader(): Promise<void> {
    const reader = this.#reader;
    this.#reader = undefined;
    await reader?.handle.close().catch(() => undefined);
  }

  /**
   * Puts every object until all succeeded, then syncs the sink; false if stopped first. A failed
   * sync puts the whole round again: the sink may have lost what it had not yet made durable.
   */
  async #deliver(objects: SinkObject[]): Promise<boolean> {
    let pending = objects;
    let attempt = 0;
    while (!this.#stopped) {
      try {
        if (pending.length > 0) {
          pending = await putObjects(this.#o.sink, pending, this.#o.concurrency, (err) => {
            this.#stats.lastError = describe(err);
          });
        }
        if (pending.length === 0) {
          try {
            await this.#o.sink.sync();
          } catch (err) {
            pending = objects;
            throw err;
          }
          if (this.#outage) this.#o.logger.info({ attempts: attempt }, 'audit sink reachable again; delivering spooled records');
          this.#outage = false;
          return true;
        }
      } catch (err) {
        this.#stats.lastError = describe(err);
      }
      this.#stats.failedAttempts++;
      if (!this.#outage || attempt % 20 === 0) {
        this.#o.logger.warn({ pending: pending.length, attempt, error: this.#stats.lastError }, 'audit sink unavailable; records stay in the spool and will be retried');
      }
      this.#outage = true;
      const delay = Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** Math.min(attempt, 20));
      attempt++;
      await this.#backoff(delay / 2 + Math.random() * (delay / 2));
    }
    return false;
  }
}

/** A short error description for logs and stats (SDK errors carry no credentials in name/code). */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return `${err.name}${code ? ` ${code}` : ''}: ${err.message}`.slice(0, 300);
  }
  return String(err).slice(0, 300);
}
