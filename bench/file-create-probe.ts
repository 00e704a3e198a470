import { closeSync, mkdtempSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What the records layout's file sink pays per record in the kernel: create a temp file, write
 * a record-sized body, rename it into place, close it. On ext4 without a journal, creating a
 * file within about a minute of many deletions (a test run, an earlier bench's temp dirs) walks
 * past every recently freed inode of its group, and the same create then costs several times
 * as much. The bench measures this before its cells and waits, within a bound, until it is down,
 * so the gateway rows measure the gateway and not the deletions before them.
 */

/** The CPU (user + system) of `files` creates, in µs per file. The files stay until `cleanup`. */
export function measureFileCreateUs(files = 300, bodyBytes = 1500): { perFileUs: number; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wj-bench-create-'));
  const body = Buffer.alloc(bodyBytes, 0x61);
  const before = process.cpuUsage();
  for (let i = 0; i < files; i++) {
    const temp = join(dir, `.${i}.tmp`);
    const fd = openSync(temp, 'w', 0o640);
    writeSync(fd, body);
    renameSync(temp, join(dir, `${i}.json`));
    closeSync(fd);
  }
  const used = process.cpuUsage(before);
  // Removed only when the bench ends: deleting them now would slow the next probe down.
  return { perFileUs: (used.user + used.system) / files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SettleOptions {
  /** A create at or under this many µs counts as settled. */
  readonly settledUs: number;
  /** Give up waiting after this long and measure anyway. */
  readonly maxWaitMs: number;
  readonly pollMs: number;
  readonly log: (line: string) => void;
}

/** Probes until creating a file costs at most `settledUs`, sleeping `pollMs` between probes and at most `maxWaitMs` in all. */
export async function waitForCheapFileCreates(options: SettleOptions): Promise<{ perFileUs: number; waitedMs: number; cleanup: () => void }> {
  const cleanups: (() => void)[] = [];
  const cleanup = (): void => {
    for (const c of cleanups.splice(0)) c();
  };
  for (let waitedMs = 0; ; waitedMs += options.pollMs) {
    const probe = measureFileCreateUs();
    cleanups.push(probe.cleanup);
    if (probe.perFileUs <= options.settledUs || waitedMs >= options.maxWaitMs) return { perFileUs: probe.perFileUs, waitedMs, cleanup };
    options.log(`creating a file costs ${probe.perFileUs.toFixed(0)} µs of CPU (settled: ≤ ${options.settledUs}): files were deleted here recently; waiting ${options.pollMs / 1000} s`);
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}
