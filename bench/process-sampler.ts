import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS); undefined once it is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = status.split('\n').find((l) => l.startsWith('VmRSS:'));
    if (!line) return undefined;
    // "VmRSS:	   81234 kB"
    const kb = Number.parseInt(line.slice('VmRSS:'.length).trim(), 10);
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Sockets a process has open now (its `/proc/<pid>/fd` links to `socket:[…]`); undefined once it is gone. */
export function countOpenSockets(pid: number): number | undefined {
  try {
    let sockets = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
      } catch {
        // Closed between the listing and the read.
      }
    }
    return sockets;
  } catch {
    return undefined;
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10) || 100;
    } catch {
      clockTicks = 100; // the Linux default
    }
  }
  return clockTicks;
}

/** User + system CPU time a process has used so far, in milliseconds, from /proc/<pid>/stat. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime is the 14th
    // field of the line, stime the 15th, i.e. the 12th and 13th after ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Samples a process during one measured run: max RSS, and CPU time used between start and stop. */
export class ProcessSampler {
  private maxRss = 0;
  private readonly cpuStart: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.cpuStart = readCpuMs(pid) ?? 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const rss = readRssBytes(this.pid);
    if (rss !== undefined && rss > this.maxRss) this.maxRss = rss;
  }

  /** Stops sampling (after one last read): max RSS in bytes and CPU milliseconds used. */
  stop(): { rssBytes: number; cpuMs: number } {
    clearInterval(this.timer);
    this.sample();
    const cpuEnd = readCpuMs(this.pid);
    // A process that is gone has no CPU figure: NaN shows as '-' instead of a misleading 0.
    return { rssBytes: this.maxRss, cpuMs: cpuEnd === undefined ? Number.NaN : cpuEnd - this.cpuStart };
  }
}

function cpuTotals(): { idle: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // "cpu  user nice system idle iowait irq softirq steal ..." in clock ticks.
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { idle, total: values.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/**
 * How busy the whole machine is while the bench itself is idle, 0..1, measured over `ms`
 * (unlike the load average, it is not inflated by the build that just ran).
 */
export async function machineBusyFraction(ms = 1000): Promise<number | undefined> {
  const before = cpuTotals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTotals();
  if (!before || !after || after.total <= before.total) return undefined;
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}
