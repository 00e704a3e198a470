import { open, readdir, readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { FileWriter } from './file-writer.js';
import type { AuditSink } from './sink.js';

/**
 * Audit records as files under `{dir}/{key}`. Each record is written to a dot-prefixed temp
 * file in the same directory and renamed into place, so a reader never sees a partial record
 * and listings skip in-flight writes. The writes happen on a worker thread (file-writer.ts).
 * `put` does not fsync: the file's handle stays open until `sync()`, which makes every file put
 * since the last call durable together (one syncfs for a large round, else an fdatasync per
 * file; see file-writer-worker.ts) and then fsyncs the touched directories, so the renames
 * survive a crash too. Until then the records are still in the spool: the deliverer calls
 * `sync()` before its checkpoint moves, and a crash redelivers them.
 */
export class FileSink implements AuditSink {
  readonly kind = 'file' as const;
  readonly #root: string;
  readonly #writer = new FileWriter();

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
    await this.#writer.write(this.#path(key), body);
  }

  /**
   * Makes every file put since the last call durable: their data first, then the directory
   * entries. On failure nothing is retried here (a failed fsync may have dropped the dirty
   * pages, so syncing again proves nothing): the caller puts the files again.
   */
  async sync(): Promise<void> {
    await this.#writer.sync();
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
    try {
      await this.sync();
    } finally {
      await this.#writer.close();
    }
  }
}

/** fsync a directory so the entries created in it (renames, new files) are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
