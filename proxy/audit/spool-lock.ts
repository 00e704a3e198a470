import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One process owns a spool directory: two writers would delete each other's segments. The lock
 * file holds the owner's pid; a lock whose process is gone (kill -9, container restart) is stale
 * and taken over.
 */

const heldInThisProcess = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `dir` or throws naming the process that holds it. */
export async function acquireSpoolLock(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  if (heldInThisProcess.has(path)) throw new Error(`audit spool ${dir} is already open in this process`);
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(String(process.pid));
    await handle.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    // Our own pid in a lock we do not hold is a previous life of this container's pid 1.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new Error(`audit spool ${dir} is in use by process ${pid}; give each gateway instance its own audit.dir`);
    }
    await writeFile(path, String(process.pid), { mode: 0o600 });
  }
  heldInThisProcess.add(path);
}

/** Releases a lock taken by `acquireSpoolLock`. */
export async function releaseSpoolLock(dir: string): Promise<void> {
  const path = join(dir, 'LOCK');
  if (!heldInThisProcess.delete(path)) return;
  await unlink(path).catch(() => undefined);
}
