import type { LoadResult } from './load.js';

export type BodyMode = 'json' | 'stream';

/** One measured cell: one target under one load shape. */
export interface CellResult {
  readonly target: string;
  readonly mode: BodyMode;
  readonly connections: number;
  readonly load: LoadResult;
  /** Max VmRSS of the target's process during the measured run, in bytes. */
  readonly rssBytes: number;
  /** User + system CPU time the target's process used during the measured run, in ms. */
  readonly cpuMs: number;
}

/** CPU time the target spent per completed request, in microseconds (NaN when none completed). */
export function cpuPerRequestUs(cell: CellResult): number {
  return cell.load.ok > 0 ? (cell.cpuMs * 1000) / cell.load.ok : Number.NaN;
}

/** A target that could not be measured (did not start, failed its smoke check, died during the run). */
export interface TargetFailure {
  readonly target: string;
  readonly reason: string;
}

export interface Ratios {
  readonly requestsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly rss: number;
  readonly cpu: number;
}

export const BASELINE = 'passthrough';

const MIB = 1024 * 1024;

function ratio(value: number, floor: number): number {
  return floor > 0 ? value / floor : Number.NaN;
}

/** A cell's figures divided by the passthrough's figures for the same mode and concurrency. */
export function ratiosFor(cell: CellResult, cells: readonly CellResult[]): Ratios | undefined {
  const floor = cells.find((c) => c.target === BASELINE && c.mode === cell.mode && c.connections === cell.connections);
  if (!floor) return undefined;
  return {
    requestsPerSec: ratio(cell.load.requestsPerSec, floor.load.requestsPerSec),
    p50: ratio(cell.load.p50Ms, floor.load.p50Ms),
    p99: ratio(cell.load.p99Ms, floor.load.p99Ms),
    rss: ratio(cell.rssBytes, floor.rssBytes),
    cpu: ratio(cpuPerRequestUs(cell), cpuPerRequestUs(floor)),
  };
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

const COLUMNS: ReadonlyArray<readonly [string, number]> = [
  ['target', 20],
  ['mode', 6],
  ['c', 3],
  ['req/s', 8],
  ['p50 ms', 7],
  ['p99 ms', 7],
  ['RSS MiB', 8],
  ['CPU µs/req', 10],
  ['×req/s', 7],
  ['×p50', 6],
  ['×p99', 6],
  ['×RSS', 6],
  ['×CPU', 6],
  ['failed', 7],
];

function row(cells: readonly string[]): string {
  return cells.map((text, i) => pad(text, COLUMNS[i]?.[1] ?? 8, i < 2)).join('  ');
}

/** The human table: one block per (mode, concurrency), passthrough first, ratios against it. */
export function formatTable(cells: readonly CellResult[], failures: readonly TargetFailure[]): string {
  const lines: string[] = [];
  const header = row(COLUMNS.map(([name]) => name));
  lines.push(header, '-'.repeat(header.length));
  const shapes: Array<[BodyMode, number]> = [];
  for (const cell of cells) {
    if (!shapes.some(([m, c]) => m === cell.mode && c === cell.connections)) shapes.push([cell.mode, cell.connections]);
  }
  for (const [mode, connections] of shapes) {
    const group = cells.filter((c) => c.mode === mode && c.connections === connections);
    group.sort((a, b) => Number(b.target === BASELINE) - Number(a.target === BASELINE));
    for (const cell of group) {
      const r = ratiosFor(cell, cells);
      const failed = cell.load.non2xx + cell.load.errors;
      lines.push(
        row([
          cell.target,
          mode,
          String(connections),
          fixed(cell.load.requestsPerSec, 0),
          fixed(cell.load.p50Ms, 2),
          fixed(cell.load.p99Ms, 2),
          fixed(cell.rssBytes / MIB, 1),
          fixed(cpuPerRequestUs(cell), 0),
          r ? fixed(r.requestsPerSec, 2) : '-',
          r ? fixed(r.p50, 2) : '-',
          r ? fixed(r.p99, 2) : '-',
          r ? fixed(r.rss, 2) : '-',
          r ? fixed(r.cpu, 2) : '-',
          String(failed),
        ]),
      );
    }
    lines.push('');
  }
  for (const failure of failures) lines.push(`FAILED ${failure.target}: ${failure.reason}`);
  return lines.join('\n');
}
