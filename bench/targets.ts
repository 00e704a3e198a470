import { BASELINE, cpuPerRequestUs, ratiosFor, type BodyMode, type CellResult } from './report.js';

/**
 * Issue 14's performance targets, judged on the cells of one `npm run bench` run against the
 * passthrough of the same run:
 * - c=16, every stage on (`gw-all`): ×req/s ≥ 0.6 and ×p99 ≤ 2, json and stream;
 * - c=1: p50 overhead above the passthrough ≤ 150 µs with `audit.durability: async`
 *   (`gw-audit-async`), ≤ one fsync (measured at bench start) + 150 µs with `durable` (`gateway`);
 * - CPU µs per request ≤ 2× the passthrough's, every stage on, at c=16 and at c=1.
 */

export const ALL_STAGES_TARGET = 'gw-all';
export const ASYNC_AUDIT_TARGET = 'gw-audit-async';
export const DURABLE_AUDIT_TARGET = 'gateway';

export const MIN_THROUGHPUT_RATIO = 0.6;
export const MAX_P99_RATIO = 2;
export const MAX_P50_OVERHEAD_US = 150;
export const MAX_CPU_RATIO = 2;

type Metric = '×req/s' | '×p99' | 'p50 overhead µs' | '×CPU';

/** One judged target: `value` and `pass` are undefined when the run did not measure it. */
export interface TargetLine {
  readonly target: string;
  readonly mode: BodyMode;
  readonly connections: number;
  readonly metric: Metric;
  readonly comparison: '≥' | '≤';
  readonly limit: number;
  /** How the limit was made, when it is not a constant (`fsync 612 µs + 150 µs`). */
  readonly limitNote?: string;
  readonly value: number | undefined;
  readonly pass: boolean | undefined;
}

function cellOf(cells: readonly CellResult[], target: string, mode: BodyMode, connections: number): CellResult | undefined {
  return cells.find((c) => c.target === target && c.mode === mode && c.connections === connections);
}

/** p50 of the target minus p50 of the passthrough, same shape, in µs. */
function p50OverheadUs(cell: CellResult, cells: readonly CellResult[]): number | undefined {
  const floor = cellOf(cells, BASELINE, cell.mode, cell.connections);
  return floor ? (cell.load.p50Ms - floor.load.p50Ms) * 1000 : undefined;
}

function metricValue(metric: Metric, cell: CellResult | undefined, cells: readonly CellResult[]): number | undefined {
  if (!cell || cell.load.ok === 0) return undefined;
  if (metric === 'p50 overhead µs') return p50OverheadUs(cell, cells);
  const r = ratiosFor(cell, cells);
  if (!r) return undefined;
  const value = metric === '×req/s' ? r.requestsPerSec : metric === '×p99' ? r.p99 : r.cpu;
  return Number.isFinite(value) ? value : undefined;
}

/** Every target line for the run's cells; `fsyncUs` is the measured median fsync (undefined: not measured). */
export function judgeTargets(cells: readonly CellResult[], fsyncUs: number | undefined): TargetLine[] {
  const lines: TargetLine[] = [];
  const add = (target: string, mode: BodyMode, connections: number, metric: Metric, comparison: '≥' | '≤', limit: number, limitNote?: string): void => {
    const value = metricValue(metric, cellOf(cells, target, mode, connections), cells);
    const measurable = value !== undefined && Number.isFinite(limit);
    const pass = measurable ? (comparison === '≥' ? value >= limit : value <= limit) : undefined;
    lines.push({ target, mode, connections, metric, comparison, limit, ...(limitNote === undefined ? {} : { limitNote }), value, pass });
  };
  const modes: readonly BodyMode[] = ['json', 'stream'];
  for (const mode of modes) {
    add(ALL_STAGES_TARGET, mode, 16, '×req/s', '≥', MIN_THROUGHPUT_RATIO);
    add(ALL_STAGES_TARGET, mode, 16, '×p99', '≤', MAX_P99_RATIO);
  }
  const durableLimit = fsyncUs === undefined ? Number.NaN : fsyncUs + MAX_P50_OVERHEAD_US;
  const durableNote = fsyncUs === undefined ? 'fsync not measured' : `fsync ${fsyncUs.toFixed(0)} + ${MAX_P50_OVERHEAD_US}`;
  for (const mode of modes) {
    add(ASYNC_AUDIT_TARGET, mode, 1, 'p50 overhead µs', '≤', MAX_P50_OVERHEAD_US);
    add(DURABLE_AUDIT_TARGET, mode, 1, 'p50 overhead µs', '≤', durableLimit, durableNote);
  }
  for (const connections of [16, 1]) {
    for (const mode of modes) add(ALL_STAGES_TARGET, mode, connections, '×CPU', '≤', MAX_CPU_RATIO);
  }
  return lines;
}

function formatNumber(metric: Metric, value: number): string {
  return metric === 'p50 overhead µs' ? value.toFixed(0) : value.toFixed(2);
}

/** One printed line per target: PASS / MISS / `n/a` (not measured in this run), value and limit. */
export function formatTargetLines(lines: readonly TargetLine[]): string {
  return lines
    .map((line) => {
      const verdict = line.pass === undefined ? 'n/a ' : line.pass ? 'PASS' : 'MISS';
      const shape = `c=${line.connections}`.padEnd(5) + line.mode.padEnd(7);
      const value = line.value === undefined ? 'not measured' : formatNumber(line.metric, line.value);
      const limit = Number.isFinite(line.limit) ? formatNumber(line.metric, line.limit) : '?';
      const note = line.limitNote === undefined ? '' : ` (${line.limitNote})`;
      return `${verdict}  ${shape}${line.target.padEnd(16)}${line.metric.padEnd(16)}${value.padStart(12)}  target ${line.comparison} ${limit}${note}`;
    })
    .join('\n');
}
