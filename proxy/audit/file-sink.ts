import { open, mkdir, rename, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { AuditSink } from './sink.js';

/**
 * Audit records as files under `{dir}/{key}`. Each record is written to a dot-prefixed temp
 * file in the same directory and renamed into place, so a reader never sees a partial record
 * and listings skip in-flight writes. `put` does not fsync: the file's handle stays open until
 * `sync()`, which fdatasyncs every file put since the last call together (ext4 coalesces their
 * journal commits; one fsync per file cost ~3x the kernel CPU) and then fsyncs the touched
 * directories, so the renames survive a crash too. Until then the records are still in the
 * spool: the deliverer calls `sync()` before its checkpoint moves, and a crash redelivers them.
 */
export class FileSink implements AuditSink {
  readonly kind = 'file' as const;
  readonly #root: string;
  readonly #madeDirs = new Set<string>();
  #dirtyDirs = new Set<string>();
  /** Files put since the last sync, still open so the sync needs no second open. */
  #unsynced: FileHandle[] = [];

  constructor(dir: string) {
    this.#root = resolve(dir);
  }

  #path(key: string): string {
    const path = resolve(this.#root, key);
    // Keys are validated where they are built; this is the second net against traversal.
    if (!path.startsWith(this.#root + sep)) throw new TypeError('audit key escapes the audit directory');
    return path;
  }

  async put(key: string, body: string): Promise<void> {
    const path = this.#path(key);
    const dir = dirname(path);
    if (!this.#madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#madeDirs.add(dir);
    }
    const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temp, 'w', 0o640);
    try {
      await handle.writeFile(body, 'utf8');
      await rename(temp, path);
    } catch (err) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    this.#unsynced.push(handle);
    this.#dirtyDirs.add(dir);
  }

  /**
   * Makes every file put since the last call durable: their data first, then the directory
   * entries. On failure nothing is retried here (a failed fsync may have dropped the dirty
   * pages, so syncing again proves nothing): the caller puts the files again.
   */
  async sync(): Promise<void> {
    const files = this.#unsynced;
    const dirs = this.#dirtyDirs;
    this.#unsynced = [];
    this.#dirtyDirs = new Set();
    try {
      // Four at a time (libuv's pool size): all at once would queue hundreds of fsyncs in the
      // thread pool ahead of the spool's own fdatasync, which a request is waiting for.
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < files.length) await (files[next++] as FileHandle).datasync();
      };
      await Promise.all(Array.from({ length: SYNC_CONCURRENCY }, worker));
      await Promise.all([...dirs].map(fsyncDir));
    } finally {
      await Promise.all(files.map((handle) => handle.close().catch(() => undefined)));
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(this.#path(prefix), { withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.#path(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.sync();
  }
}

const SYNC_CONCURRENCY = 4;

/** fsync a directory so the entries created in it (renames, new files) are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
