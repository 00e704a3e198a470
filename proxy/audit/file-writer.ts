import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/start-worker.js';
import type { FileToWrite, SyncMethod, WriterFailure, WriterJob, WriterReply } from './file-writer-worker.js';

interface QueuedWrite {
  readonly file: FileToWrite;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

type Waiting =
  | { readonly kind: 'write'; readonly writes: readonly QueuedWrite[] }
  | { readonly kind: 'sync'; readonly resolve: () => void; readonly reject: (err: Error) => void }
  | { readonly kind: 'close'; readonly resolve: () => void };

/** How long a close waits for the thread to end its sync helper before terminating it anyway. */
const CLOSE_GRACE_MS = 2000;

function errorOf(failure: WriterFailure): Error {
  const err: NodeJS.ErrnoException = new Error(failure.message);
  if (failure.code !== undefined) err.code = failure.code;
  return err;
}

/**
 * The file sink's writes, done on one worker thread (file-writer-worker.ts). Writes asked for in
 * the same tick go over in one message, so a delivery round of hundreds of records costs the
 * event loop a few messages instead of five thread-pool round trips per record. The thread
 * starts on the first write and is unref'd while nothing is in flight, so it never holds the
 * process open; if it dies, what was in flight fails (the deliverer puts it again) and the next
 * write starts a new one.
 */
export class FileWriter {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #waiting = new Map<number, Waiting>();
  #queued: QueuedWrite[] = [];
  #flushScheduled = false;
  /** A thread died holding files it had written but not synced: the next sync must fail. */
  #lostUnsynced = false;
  /** Some file was written since the last sync. */
  #holdsUnsynced = false;
  readonly #syncsBy: Record<SyncMethod, number> = { filesystem: 0, files: 0 };

  /** Writes `body` to `path` (temp file + rename); resolves once the file is in place, not yet durable. */
  write(path: string, body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ file: { path, body }, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(() => this.#flushWrites());
      }
    });
  }

  /** Makes every file written before this call durable (data, then directory entries). */
  sync(): Promise<void> {
    this.#flushWrites();
    if (this.#lostUnsynced) {
      // Their handles died with the thread: report the round as not durable, so it is put again.
      this.#lostUnsynced = false;
      return Promise.reject(new Error('the audit file writer stopped before the files written since the last sync were synced'));
    }
    if (!this.#worker) return Promise.resolve();
    return new Promise((resolve, reject) => this.#post({ id: this.#nextId++, kind: 'sync' }, { kind: 'sync', resolve, reject }));
  }

  /** Successful syncs so far, by how the files' data was made durable. */
  syncsByMethod(): Readonly<Record<SyncMethod, number>> {
    return { ...this.#syncsBy };
  }

  /** Stops the thread; writes not yet confirmed fail (the deliverer puts them again). */
  async close(): Promise<void> {
    const err = new Error('the audit file writer was closed');
    for (const write of this.#queued.splice(0)) write.reject(err);
    this.#failAll(err);
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    // The thread ends its sync helper first: a child left behind by a terminated thread is never reaped.
    const id = this.#nextId++;
    let grace: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#waiting.set(id, { kind: 'close', resolve });
      worker.ref();
      worker.postMessage({ id, kind: 'close' } satisfies WriterJob);
      grace = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    clearTimeout(grace);
    this.#waiting.delete(id);
    await worker.terminate();
  }

  #flushWrites(): void {
    this.#flushScheduled = false;
    const writes = this.#queued;
    if (writes.length === 0) return;
    this.#queued = [];
    this.#post({ id: this.#nextId++, kind: 'write', files: writes.map((w) => w.file) }, { kind: 'write', writes });
  }

  #post(job: WriterJob, waiting: Waiting): void {
    const worker = this.#worker ?? this.#start();
    this.#waiting.set(job.id, waiting);
    worker.ref();
    worker.postMessage(job);
  }

  #start(): Worker {
    const worker = startModuleWorker(import.meta.url, 'file-writer-worker');
    worker.unref();
    worker.on('message', (reply: WriterReply) => this.#settle(reply));
    const fail = (err: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#lostUnsynced ||= this.#holdsUnsynced;
      this.#holdsUnsynced = false;
      this.#failAll(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the audit file writer exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: WriterReply): void {
    const waiting = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.#worker?.unref();
    if (!waiting) return;
    if (waiting.kind === 'close') {
      waiting.resolve();
    } else if (waiting.kind === 'sync' && reply.kind === 'sync') {
      // A sync's files are closed either way: a failed one is put again, not synced again.
      this.#holdsUnsynced = false;
      if (reply.failure) {
        waiting.reject(errorOf(reply.failure));
      } else {
        if (reply.method) this.#syncsBy[reply.method]++;
        waiting.resolve();
      }
    } else if (waiting.kind === 'write' && reply.kind === 'write') {
      waiting.writes.forEach((write, i) => {
        const failure = reply.failures[i];
        if (failure) {
          write.reject(errorOf(failure));
        } else {
          this.#holdsUnsynced = true;
          write.resolve();
        }
      });
    }
  }

  #failAll(err: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) {
      if (w.kind === 'sync') w.reject(err);
      else if (w.kind === 'close') w.resolve();
      else for (const write of w.writes) write.reject(err);
    }
  }
}
