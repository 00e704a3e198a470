import { open, mkdir, rename, readdir, readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { AuditSink } from './sink.js';

/**
 * Audit records as files under `{dir}/{key}`. Each record is written to a dot-prefixed temp
 * file in the same directory, fsync'd and renamed into place, so a reader never sees a partial
 * record and listings skip in-flight writes. `sync()` fsyncs the directories touched since the
 * last call, which makes the renames themselves survive a crash.
 */
export class FileSink implements AuditSink {
  readonly kind = 'file' as const;
  readonly #root: string;
  readonly #madeDirs = new Set<string>();
  #dirtyDirs = new Set<string>();

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
      await handle.sync();
    } catch (err) {
      await handle.close();
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await handle.close();
    await rename(temp, path);
    this.#dirtyDirs.add(dir);
  }

  async sync(): Promise<void> {
    const dirs = this.#dirtyDirs;
    this.#dirtyDirs = new Set();
    try {
      await Promise.all([...dirs].map(fsyncDir));
    } catch (err) {
      for (const dir of dirs) this.#dirtyDirs.add(dir);
      throw err;
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

/** fsync a directory so the entries created in it (renames, new files) are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
