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

/** utime, stime, cutime, cstime of one process from /proc/<pid>/stat, in clock ticks. */
function readTicks(pid: number): { own: number; reaped: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime is the 14th
    // field of the line, stime the 15th, cutime and cstime the 16th and 17th, i.e. the 12th to
    // 15th after ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
    if (fields.length < 4 || fields.some((f) => !Number.isFinite(f))) return undefined;
    const [utime, stime, cutime, cstime] = fields as [number, number, number, number];
    return { own: utime + stime, reaped: cutime + cstime };
  } catch {
    return undefined;
  }
}

/** Pids of a process's live children, from /proc/<pid>/task/<tid>/children. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
          if (child.trim() !== '') children.push(Number(child));
        }
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    // The process is gone.
  }
  return children;
}

function treeTicks(pid: number): number {
  const ticks = readTicks(pid);
  if (!ticks) return 0;
  let total = ticks.own + ticks.reaped;
  for (const child of childPids(pid)) total += treeTicks(child);
  return total;
}

/**
 * User + system CPU time a process has used so far, in milliseconds: its own threads, the
 * children it has reaped, and its live descendants (the audit sink's sync helper is a long-lived
 * child whose work would otherwise not be counted).
 */
export function readCpuMs(pid: number): number | undefined {
  if (!readTicks(pid)) return undefined;
  return (treeTicks(pid) * 1000) / ticksPerSecond();
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
