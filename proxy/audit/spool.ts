import { mkdir, open, readdir, unlink, readFile, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AuditRecord } from './audit-record.js';
import { formatSpoolLine } from './spool-line.js';
import { fsyncDir } from './file-sink.js';
import { acquireSpoolLock, releaseSpoolLock } from './spool-lock.js';
import { recordsEnd, SegmentSpace } from './segment-space.js';

/** Create-exclusive, write-only, and every write durable before it returns (like write + fdatasync). */
const SEGMENT_OPEN_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;

/**
 * The local append-only spool: NDJSON segment files under `<audit.dir>/spool/`, one line
 * `{"at":<epoch ms>,"tenant":"…","id":"…","record":{…}}` per record (see spool-line.ts). Appends
 * are group-committed: everything appended in the same tick (and while the previous fsync runs)
 * is written with one O_DSYNC write (durable when it returns), and each append's promise resolves
 * only after that write. A process writes only segments it created; segments found at open are leftovers
 * of an earlier process, delivered and then deleted by the deliverer.
 */

export interface SpoolSegment {
  readonly name: string;
  readonly path: string;
  /** Bytes a reader may consume: fsync'd bytes for our segments, the file size for leftovers. */
  readLimit: number;
  /** Complete lines within `readLimit`. */
  lines: number;
  /** No more appends will come (rolled, failed, closed, or left by an earlier process). */
  sealed: boolean;
}

interface PendingAppend {
  readonly line: string;
  readonly at: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

interface ActiveSegment {
  readonly segment: SpoolSegment;
  readonly handle: FileHandle;
  /** Bytes committed (written and fsync'd). */
  size: number;
  /** Zeros written ahead of `size`, which commits overwrite. */
  readonly space: SegmentSpace;
}

export interface SpoolOptions {
  readonly dir: string;
  /** Roll to a new segment after this many bytes (default 16 MiB). */
  readonly maxSegmentBytes?: number;
  /** Zeros kept written ahead of the commits, in chunks of this many bytes (default 1 MiB; 0: none). */
  readonly preallocateBytes?: number;
}

const SEGMENT_SUFFIX = '.ndjson';

export class Spool {
  readonly dir: string;
  readonly #maxSegmentBytes: number;
  /** One chunk of zeros, shared by the segments this spool writes. */
  readonly #zeros: Buffer;
  readonly #segments: SpoolSegment[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #tag = randomBytes(4).toString('hex');
  #counter = 0;
  /** The newest `at` handed out: `at` never goes back within a process, even if the clock does. */
  #lastAt = 0;
  #active?: ActiveSegment;
  #pending: PendingAppend[] = [];
  #timer?: NodeJS.Immediate;
  /** The appends of the commit being written right now. */
  #inCommit: PendingAppend[] = [];
  #flushing?: Promise<void>;
  #closed = false;
  #commits = 0;
  #failures = 0;

  private constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.#maxSegmentBytes = options.maxSegmentBytes ?? 16 * 1024 * 1024;
    this.#zeros = Buffer.alloc(options.preallocateBytes ?? 1024 * 1024);
  }

  /** Opens (creating) the spool directory, takes its lock and lists leftover segments. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(options);
    await mkdir(options.dir, { recursive: true, mode: 0o750 });
    await acquireSpoolLock(options.dir);
    try {
      await spool.#loadLeftovers();
    } catch (err) {
      await releaseSpoolLock(options.dir);
      throw err;
    }
    return spool;
  }

  async #loadLeftovers(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    for (const name of names) {
      const path = join(this.dir, name);
      const text = await readFile(path);
      // A segment whose process died before sealing it ends in the zeros written ahead.
      const size = recordsEnd(text);
      if (size === 0) {
        await unlink(path);
        continue;
      }
      let lines = 0;
      for (let at = text.indexOf(10); at !== -1 && at < size; at = text.indexOf(10, at + 1)) lines++;
      this.#segments.push({ name, path, readLimit: size, lines, sealed: true });
    }
  }

  /**
   * Appends a record; resolves once it is fsync'd, rejects when the write or fsync failed.
   * `json` is the record's `JSON.stringify` text when the caller has it already.
   */
  append(record: AuditRecord, json?: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('audit spool is closed'));
    const at = Math.max(Date.now(), this.#lastAt);
    this.#lastAt = at;
    const line = formatSpoolLine(at, record, json);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line, at, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * The smallest `at` a line committed from now on can carry: the oldest append not yet
   * committed, else the present (`at` never decreases). A batch window that ends at or before
   * it can receive no more lines.
   */
  atFloor(): number {
    const oldest = this.#inCommit[0] ?? this.#pending[0];
    return oldest ? oldest.at : Math.max(Date.now(), this.#lastAt);
  }

  /**
   * Group commit: appends that arrive while an fsync runs go out together right after it, and
   * appends of one tick (every request that finished in it) go out together on the next one.
   * The batch closes on the next tick or when the running fsync ends, never after a fixed sleep.
   */
  #schedule(): void {
    if (this.#flushing || this.#timer) return;
    this.#timer = setImmediate(() => {
      this.#timer = undefined;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    this.#inCommit = batch;
    this.#flushing = this.#commit(batch);
    await this.#flushing;
    this.#flushing = undefined;
    this.#inCommit = [];
    // Appends that arrived during the fsync already waited one commit: write them next tick.
    if (this.#pending.length > 0) this.#schedule();
  }

  async #commit(batch: PendingAppend[]): Promise<void> {
    const bytes = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
    let active: ActiveSegment | undefined;
    try {
      active = await this.#ensureActive();
      await active.space.before(active.size + bytes.length);
      let written = 0;
      while (written < bytes.length) {
        // The segment is open with O_DSYNC: a write returns once its data is durable, so a commit
        // is one thread-pool round trip instead of a write and then a separate fdatasync.
        const { bytesWritten } = await active.handle.write(bytes, written, bytes.length - written, active.size + written);
        written += bytesWritten;
      }
      active.size += bytes.length;
      active.segment.readLimit = active.size;
      active.segment.lines += batch.length;
      this.#commits++;
      active.space.after(active.size);
    } catch (err) {
      this.#failures += batch.length;
      for (const p of batch) p.reject(err);
      // The segment may now end in a torn line: cut it back if we can and never append to it again.
      if (active) await active.handle.truncate(active.size).catch(() => undefined);
      await this.#sealActive();
      this.#notify();
      return;
    }
    for (const p of batch) p.resolve();
    if (active.size >= this.#maxSegmentBytes) await this.#sealActive();
    this.#notify();
  }

  async #ensureActive(): Promise<ActiveSegment> {
    if (this.#active) return this.#active;
    const name = `${Date.now().toString().padStart(15, '0')}-${this.#tag}-${String(this.#counter++).padStart(6, '0')}${SEGMENT_SUFFIX}`;
    const path = join(this.dir, name);
    const handle = await open(path, SEGMENT_OPEN_FLAGS, 0o640);
    try {
      // The new file's directory entry must be durable before any record in it counts as spooled.
      await fsyncDir(this.dir);
    } catch (err) {
      await handle.close();
      await unlink(path).catch(() => undefined);
      throw err;
    }
    const segment: SpoolSegment = { name, path, readLimit: 0, lines: 0, sealed: false };
    this.#segments.push(segment);
    this.#active = { segment, handle, size: 0, space: new SegmentSpace(handle, this.#zeros, this.#maxSegmentBytes) };
    this.#active.space.after(0);
    return this.#active;
  }

  async #sealActive(): Promise<void> {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    active.segment.sealed = true;
    // A sealed segment ends at its last record: cut off the zeros written ahead.
    if (await active.space.settle(active.size)) await active.handle.truncate(active.size).catch(() => undefined);
    await active.handle.close().catch(() => undefined);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Called after every commit, failure and seal (the deliverer wakes up on it). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Segments not yet removed, oldest first. */
  segments(): readonly SpoolSegment[] {
    return this.#segments;
  }

  /** Deletes a sealed segment whose records the sink confirmed. */
  async removeSegment(segment: SpoolSegment): Promise<void> {
    if (!segment.sealed) throw new Error('cannot remove the active spool segment');
    const at = this.#segments.indexOf(segment);
    if (at !== -1) this.#segments.splice(at, 1);
    await unlink(segment.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /** Appends not yet committed: waiting for their group commit or in the one being written. */
  get pendingAppends(): number {
    return this.#pending.length + this.#inCommit.length;
  }

  stats(): { segments: number; bytes: number; commits: number; appendFailures: number } {
    return {
      segments: this.#segments.length,
      bytes: this.#segments.reduce((sum, s) => sum + s.readLimit, 0),
      commits: this.#commits,
      appendFailures: this.#failures,
    };
  }

  /** Commits what is pending, seals the active segment and refuses further appends. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing || this.#timer || this.#pending.length > 0) {
      if (this.#timer) {
        clearImmediate(this.#timer);
        this.#timer = undefined;
      }
      if (this.#flushing) await this.#flushing;
      else await this.#flush();
    }
    await this.#sealActive();
    this.#notify();
  }

  /** Releases the directory lock; call after the deliverer stopped. */
  async release(): Promise<void> {
    await releaseSpoolLock(this.dir);
  }
}
