import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * syncfs(2) for the file sink's writer thread: one call makes every file written on a
 * filesystem durable, where an fdatasync per file issues one disk-cache flush each. Measured on
 * the development VM (ext4 without a journal, virtio disk), 2,000 files of ~1 KB cost ~100–130 µs of machine-wide CPU
 * each with one fdatasync per file and ~15 µs each with one syncfs for all of them.
 *
 * Node has no syncfs binding, so a long-lived `sh` runs coreutils' `sync -f` (syncfs on the
 * filesystem holding a path) for each request: one small fork per round instead of a fork of the
 * gateway's own process. The shell first checks that `sync` knows `--file-system` (coreutils
 * ≥ 8.24; busybox and other systems lack it); where it does not, {@link FilesystemSync.sync}
 * resolves `false` and the caller syncs file by file. The shell reads its requests from stdin,
 * so it ends when the gateway does, even after a kill -9.
 *
 * What syncfs reports: errors of the writeback it does itself (Linux ≥ 5.8 also reports earlier
 * writeback errors of the filesystem, but only those after `sync` opened the path). The sink's
 * files are synced within a round of being written, before the kernel's own writeback would
 * normally touch them, so in practice their errors surface here; the caller still fsyncs each
 * touched directory afterwards, which also flushes the disk cache once more on filesystems
 * without a journal.
 */

/** Lines the shell writes; `sync`'s own messages (stderr joined to stdout) come before a `fail`. */
const READY = '@wj-sync ready';
const UNAVAILABLE = '@wj-sync unavailable';
const OK = '@wj-sync ok';
const FAIL = '@wj-sync fail ';

const SCRIPT = [
  `if sync --help 2>&1 | grep -q -e --file-system; then echo '${READY}'; else echo '${UNAVAILABLE}'; exit 0; fi`,
  `while IFS= read -r p; do if sync -f -- "$p" 2>&1; then echo '${OK}'; else echo "${FAIL}$?"; fi; done`,
].join('\n');

/** A failed `sync -f`: `code` is `ESYNCFS`, the message carries what `sync` printed. */
export class FilesystemSyncError extends Error {
  readonly code = 'ESYNCFS';
}

type Helper = ChildProcessByStdio<Writable, Readable, null>;

interface Request {
  readonly resolve: (synced: boolean) => void;
  readonly reject: (err: Error) => void;
}

export class FilesystemSync {
  #helper: Helper | undefined;
  #ready: Promise<boolean> | undefined;
  #unavailable = false;
  readonly #requests: Request[] = [];
  #output: string[] = [];
  #partial = '';
  #onReady: ((available: boolean) => void) | undefined;

  /**
   * Syncs the filesystem that holds `path`. Resolves `true` once synced, `false` when this system
   * cannot (nothing was done), and rejects with a {@link FilesystemSyncError} when the sync failed.
   */
  async sync(path: string): Promise<boolean> {
    if (this.#unavailable || path.includes('\n')) return false;
    if (!(await (this.#ready ??= this.#start()))) return false;
    const helper = this.#helper;
    if (!helper) throw new FilesystemSyncError('the sync helper stopped');
    return new Promise<boolean>((resolve, reject) => {
      this.#requests.push({ resolve, reject });
      helper.stdin.write(`${path}\n`);
    });
  }

  /**
   * Ends the helper and resolves once it has exited. Call it before the thread that started the
   * helper ends: a child whose thread is gone is never reaped.
   */
  close(): Promise<void> {
    const helper = this.#helper;
    this.#helper = undefined;
    this.#ready = undefined;
    this.#forget(new FilesystemSyncError('the sync helper was closed'));
    if (!helper || helper.exitCode !== null || helper.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      helper.once('exit', () => resolve());
      helper.stdin.end();
    });
  }

  #start(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      this.#onReady = resolve;
      const helper = spawn('sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
      this.#helper = helper;
      helper.stdout.setEncoding('utf8');
      helper.stdout.on('data', (chunk: string) => this.#read(chunk));
      // A broken pipe surfaces as the exit below; the error event must not go unhandled.
      helper.stdin.on('error', () => undefined);
      helper.on('error', (err) => {
        // No shell at all (ENOENT): sync file by file from now on.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.#unavailable = true;
        this.#stopped(helper, err);
      });
      helper.on('exit', (code, signal) => this.#stopped(helper, new FilesystemSyncError(`the sync helper exited (${signal ?? `code ${code}`})`)));
    });
  }

  #read(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === READY || line === UNAVAILABLE) {
        if (line === UNAVAILABLE) this.#unavailable = true;
        this.#onReady?.(line === READY);
        this.#onReady = undefined;
      } else if (line === OK || line.startsWith(FAIL)) {
        const said = this.#output.join(' ').trim();
        this.#output = [];
        const request = this.#requests.shift();
        if (line === OK) request?.resolve(true);
        else request?.reject(new FilesystemSyncError(`sync -f failed (status ${line.slice(FAIL.length)})${said ? `: ${said}` : ''}`));
      } else {
        this.#output.push(line);
      }
    }
  }

  #stopped(helper: Helper, err: Error): void {
    if (this.#helper !== helper) return;
    this.#helper = undefined;
    // The next request starts a new helper (unless this system has none).
    this.#ready = undefined;
    this.#onReady?.(false);
    this.#onReady = undefined;
    this.#forget(err);
  }

  #forget(err: Error): void {
    this.#output = [];
    this.#partial = '';
    for (const request of this.#requests.splice(0)) request.reject(err);
  }
}
