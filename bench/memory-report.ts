import type { StreamOutcome } from './held-streams.js';
import type { MemoryBreakdown } from './target-child.js';

/**
 * Judging and printing the memory cell (`npm run bench:streams`): one target's RSS before,
 * during and after N concurrent streams held open by the fake provider, and whether every stream
 * delivered the whole answer.
 */

const MIB = 1024 * 1024;

/** Issue 14: with 1,000 streams held open the gateway's RSS stays under this. */
export const HELD_LIMIT_BYTES = 250 * MIB;
/** "Returns near its baseline": within the larger of 20 MiB and 10% of the baseline. */
export const AFTER_SLACK_MIN_BYTES = 20 * MIB;
export const AFTER_SLACK_FRACTION = 0.1;

/** One round: N streams opened, held, released, ended. */
export interface MemoryRound {
  /** Seconds from opening the first stream until all showed their first words. */
  readonly openSeconds: number;
  /** RSS one second after every stream showed its first words (all held). */
  readonly heldBytes: number;
  /** Highest RSS from the first request until every stream had ended. */
  readonly peakBytes: number;
  /** RSS after every stream ended, the audit backlog was delivered, the settle period and a collection. */
  readonly afterBytes: number;
  /** The target's own breakdown right after that collection. */
  readonly afterMemory?: MemoryBreakdown;
  /** Sockets the target still had open at the "after" sample (idle upstream keep-alive ones count). */
  readonly afterSockets?: number;
  readonly check: StreamCheck;
}

/** How the streams ended: `ok` ones carried the whole expected text and `[DONE]`. */
export interface StreamCheck {
  readonly total: number;
  readonly ok: number;
  /** Failure description → how many streams failed that way. */
  readonly failures: Readonly<Record<string, number>>;
}

export interface MemoryCell {
  readonly target: string;
  readonly streams: number;
  /** RSS after start, a short warm-up and a collection, before any stream is opened. */
  readonly baselineBytes: number;
  readonly baselineMemory?: MemoryBreakdown;
  /** The same cell repeated on the same process: growth from round to round is memory kept. */
  readonly rounds: readonly MemoryRound[];
}

export interface Verdict {
  readonly pass: boolean;
  readonly valueBytes: number;
  readonly limitBytes: number;
}

export interface MemoryVerdicts {
  /** Highest RSS of any round < 250 MiB. */
  readonly held: Verdict;
  /** RSS after the last round ≤ baseline + slack. */
  readonly after: Verdict;
}

export function afterLimitBytes(baselineBytes: number): number {
  return baselineBytes + Math.max(AFTER_SLACK_MIN_BYTES, baselineBytes * AFTER_SLACK_FRACTION);
}

export function judgeMemory(cell: Pick<MemoryCell, 'baselineBytes' | 'rounds'>): MemoryVerdicts {
  const peak = Math.max(...cell.rounds.map((r) => r.peakBytes));
  const after = cell.rounds.at(-1)?.afterBytes ?? Number.NaN;
  const afterLimit = afterLimitBytes(cell.baselineBytes);
  return {
    held: { pass: peak < HELD_LIMIT_BYTES, valueBytes: peak, limitBytes: HELD_LIMIT_BYTES },
    after: { pass: after <= afterLimit, valueBytes: after, limitBytes: afterLimit },
  };
}

/** What each open stream costs: (RSS while held − baseline) ÷ streams, in bytes (first round). */
export function bytesPerStream(cell: Pick<MemoryCell, 'streams' | 'baselineBytes' | 'rounds'>): number {
  const first = cell.rounds[0];
  return first && cell.streams > 0 ? (first.heldBytes - cell.baselineBytes) / cell.streams : Number.NaN;
}

/**
 * Live JS memory kept per stream: growth of the collected heap (`heapUsed` after a full GC at the
 * "after" sample) from the first round to the last, ÷ streams ÷ rounds between them. A leak grows
 * it every round; RSS is no such signal (glibc and V8 keep freed pages for a while, so "after" RSS
 * moves by tens of MiB either way from one round to the next). NaN with one round or no breakdown.
 */
export function keptHeapBytesPerStream(cell: Pick<MemoryCell, 'streams' | 'rounds'>): number {
  const first = cell.rounds[0]?.afterMemory;
  const last = cell.rounds.at(-1)?.afterMemory;
  if (!first || !last || cell.rounds.length < 2 || cell.streams <= 0) return Number.NaN;
  return (last.heapUsed - first.heapUsed) / cell.streams / (cell.rounds.length - 1);
}

function failureOf(outcome: StreamOutcome, expected: string): string | undefined {
  if (outcome.status !== 0 && outcome.status !== 200) return `status ${outcome.status}${outcome.error === undefined ? '' : `: ${outcome.error}`}`;
  if (outcome.error !== undefined) return `error: ${outcome.error}`;
  if (!outcome.done) return 'no [DONE]';
  if (outcome.content !== expected) return 'wrong content';
  return undefined;
}

/** Every stream must be a 200 with exactly the expected text and `[DONE]`; anything else is counted by kind. */
export function checkStreams(outcomes: readonly StreamOutcome[], expected: string): StreamCheck {
  const failures: Record<string, number> = {};
  let ok = 0;
  for (const outcome of outcomes) {
    const failure = failureOf(outcome, expected);
    if (failure === undefined) ok++;
    else failures[failure] = (failures[failure] ?? 0) + 1;
  }
  return { total: outcomes.length, ok, failures };
}

function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / MIB).toFixed(1) : '-';
}

function mark(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

/** JS heap used and allocated, buffers (`external`) and the rest of RSS (native: sockets, parsers, malloc arenas, code). */
export function formatBreakdownChange(before: MemoryBreakdown, after: MemoryBreakdown): string {
  const native = (m: MemoryBreakdown): number => m.rss - m.heapTotal - m.external;
  const part = (name: string, of: (m: MemoryBreakdown) => number): string => `${name} ${mib(of(before))} → ${mib(of(after))}`;
  return [
    part('heap used', (m) => m.heapUsed),
    part('heap total', (m) => m.heapTotal),
    part('external', (m) => m.external),
    part('native rest', native),
  ].join(', ') + ' MiB';
}

function kib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1024).toFixed(1) : '-';
}

/** The printed report: one block per target, the passthrough's for comparison. */
export function formatMemoryCells(cells: readonly MemoryCell[]): string {
  const lines: string[] = [];
  for (const cell of cells) {
    const v = judgeMemory(cell);
    lines.push(`${cell.target}: ${cell.streams} concurrent streams, ${cell.rounds.length} round(s); RSS baseline ${mib(cell.baselineBytes)} MiB`);
    cell.rounds.forEach((r, i) => {
      const failed = r.check.total - r.check.ok;
      lines.push(
        `  round ${i + 1}: all showing first words after ${r.openSeconds.toFixed(1)} s; RSS held ${mib(r.heldBytes)} MiB, peak ${mib(r.peakBytes)} MiB, after ${mib(r.afterBytes)} MiB` +
          (r.afterMemory === undefined ? '' : `, heap used ${mib(r.afterMemory.heapUsed)} MiB`) +
          (r.afterSockets === undefined ? '; ' : `, ${r.afterSockets} sockets open; `) +
          `${r.check.ok}/${r.check.total} streams complete and correct` +
          (failed > 0 ? ` — FAILED ${failed}: ${JSON.stringify(r.check.failures)}` : ''),
      );
    });
    const after = cell.rounds.at(-1)?.afterMemory;
    if (cell.baselineMemory && after) lines.push(`  collected, baseline → after the last round: ${formatBreakdownChange(cell.baselineMemory, after)}`);
    lines.push(
      `  per open stream: ${kib(bytesPerStream(cell))} KiB of RSS ((held − baseline) ÷ ${cell.streams}); JS heap kept per stream from round to round: ${kib(keptHeapBytesPerStream(cell))} KiB`,
      `  ${mark(v.held.pass)}  peak ${mib(v.held.valueBytes)} MiB < ${mib(v.held.limitBytes)} MiB`,
      `  ${mark(v.after.pass)}  after ${mib(v.after.valueBytes)} MiB ≤ baseline + max(20 MiB, 10%) = ${mib(v.after.limitBytes)} MiB`,
      '',
    );
  }
  return lines.join('\n');
}
