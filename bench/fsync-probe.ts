import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What one fsync costs on this machine, measured as the durable audit spool pays it: append a
 * small record to a file and fdatasync it (the file grows, so its size is flushed too), `rounds`
 * times, in the same temp directory tree the gateway variants keep their spool in. The median
 * is the "one fsync" of the c=1 `durable` latency target.
 */
export function measureFsyncUs(rounds = 50, recordBytes = 512): { medianUs: number; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wj-bench-fsync-'));
  try {
    const fd = openSync(join(dir, 'probe.log'), 'a');
    const record = Buffer.alloc(recordBytes, 0x61);
    const times: number[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        const start = process.hrtime.bigint();
        writeSync(fd, record);
        fdatasyncSync(fd);
        times.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    } finally {
      closeSync(fd);
    }
    return { medianUs: median(times), dir: tmpdir() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median of the values (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
