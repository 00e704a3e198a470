import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { FilesystemSync } from './filesystem-sync.js';

/**
 * The file sink's writer thread (see file-writer.ts). It does the per-record file work with
 * synchronous calls: on the event loop, `fs/promises` spent ~115–145 µs of main-thread CPU per
 * record on thread-pool hops and promise glue, against ~60 µs for the same open, write and
 * rename done synchronously, and a synchronous create can wait on the filesystem journal, which
 * no request should. Here it waits only this thread.
 */

export interface FileToWrite {
  /** Absolute path, already checked to lie under the sink's root. */
  readonly path: string;
  readonly body: string;
}

export type WriterJob =
  | { readonly id: number; readonly kind: 'write'; readonly files: readonly FileToWrite[] }
  | { readonly id: number; readonly kind: 'sync' }
  | { readonly id: number; readonly kind: 'close' };

/** A failure as plain data (an Error does not keep its `code` across postMessage). */
export interface WriterFailure {
  readonly message: string;
  readonly code?: string;
}

/** How a round's file data was made durable: one syncfs per filesystem, or an fdatasync per file. */
export type SyncMethod = 'filesystem' | 'files';

export type WriterReply =
  | { readonly id: number; readonly kind: 'write'; readonly failures: readonly (WriterFailure | null)[] }
  | { readonly id: number; readonly kind: 'sync'; readonly failure: WriterFailure | null; readonly method: SyncMethod | null }
  | { readonly id: number; readonly kind: 'close' };

/** fdatasyncs in flight at once: all at once would queue hundreds ahead of the spool's own. */
const SYNC_CONCURRENCY = 4;
/**
 * From this many files on, a round is synced with one syncfs per filesystem: starting `sync`
 * costs about a millisecond of CPU, an fdatasync per file ~100 µs each (filesystem-sync.ts).
 */
const FILESYSTEM_SYNC_MIN_FILES = 16;

const filesystemSync = new FilesystemSync();

const madeDirs = new Set<string>();
let dirtyDirs = new Set<string>();
/** Files written since the last sync, still open so the sync needs no second open. */
let unsynced: number[] = [];

function failureOf(err: unknown): WriterFailure {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as NodeJS.ErrnoException).code;
  return code === undefined ? { message: err.message } : { message: err.message, code };
}

/** Writes a dot-prefixed temp file and renames it into place, so readers never see a partial record. */
function writeOne(file: FileToWrite): void {
  const dir = dirname(file.path);
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'w', 0o640);
  } catch (err) {
    // The directory may have been removed since it was made; the retry makes it again.
    madeDirs.delete(dir);
    throw err;
  }
  try {
    writeFileSync(fd, file.body, 'utf8');
    renameSync(temp, file.path);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw err;
  }
  unsynced.push(fd);
  dirtyDirs.add(dir);
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

async function syncEachFile(fds: readonly number[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < fds.length) await datasync(fds[next++] as number);
  };
  await Promise.all(Array.from({ length: SYNC_CONCURRENCY }, worker));
}

/** One syncfs per filesystem the directories lie on; false when this system has no way to (nothing was synced). */
async function syncFilesystems(dirs: ReadonlySet<string>): Promise<boolean> {
  const dirOfDevice = new Map<number, string>();
  for (const dir of dirs) {
    const device = statSync(dir).dev;
    if (!dirOfDevice.has(device)) dirOfDevice.set(device, dir);
  }
  for (const dir of dirOfDevice.values()) {
    if (!(await filesystemSync.sync(dir))) return false;
  }
  return true;
}

/** The data of every file written since the last sync, then the directory entries; the files are closed either way. */
async function syncAll(): Promise<SyncMethod> {
  const fds = unsynced;
  const dirs = dirtyDirs;
  unsynced = [];
  dirtyDirs = new Set();
  let method: SyncMethod = 'files';
  try {
    if (fds.length >= FILESYSTEM_SYNC_MIN_FILES && (await syncFilesystems(dirs))) method = 'filesystem';
    else await syncEachFile(fds);
    // After a syncfs too: the entries' durability is what POSIX promises for a directory fsync,
    // and without a journal it is also the disk-cache flush that follows the syncfs's writes.
    for (const dir of dirs) {
      const fd = openSync(dir, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    for (const fd of fds) {
      try {
        closeSync(fd);
      } catch {
        // closing is best effort; the sync's own result is what counts
      }
    }
  }
  return method;
}

async function handle(job: WriterJob): Promise<WriterReply> {
  if (job.kind === 'close') {
    await filesystemSync.close();
    return { id: job.id, kind: 'close' };
  }
  if (job.kind === 'write') {
    const failures = job.files.map((file): WriterFailure | null => {
      try {
        writeOne(file);
        return null;
      } catch (err) {
        return failureOf(err);
      }
    });
    return { id: job.id, kind: 'write', failures };
  }
  try {
    return { id: job.id, kind: 'sync', failure: null, method: await syncAll() };
  } catch (err) {
    return { id: job.id, kind: 'sync', failure: failureOf(err), method: null };
  }
}

let queue: Promise<void> = Promise.resolve();

// Jobs run in arrival order: a sync covers exactly the writes posted before it. `handle` reports
// every failure in its reply, and the chain never stays rejected, so one bad job cannot stall the rest.
parentPort?.on('message', (job: WriterJob) => {
  queue = queue.then(async () => parentPort?.postMessage(await handle(job))).catch(() => undefined);
});
