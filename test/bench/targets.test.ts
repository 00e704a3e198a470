// The issue 14 target lines of `npm run bench`: each judged on one run's cells against the
// passthrough of the same run, and printed PASS / MISS / n/a with the value and the limit.
import t from 'tap';
import type { LoadResult } from '../../bench/load.js';
import type { BodyMode, CellResult } from '../../bench/report.js';
import { formatTargetLines, judgeTargets, type TargetLine } from '../../bench/targets.js';

function cell(target: string, mode: BodyMode, connections: number, figures: { rps: number; p50Ms: number; p99Ms: number; cpuMs: number }): CellResult {
  const ok = Math.round(figures.rps * 3);
  const load: LoadResult = {
    requestsPerSec: figures.rps,
    p50Ms: figures.p50Ms,
    p99Ms: figures.p99Ms,
    meanMs: figures.p50Ms,
    ok,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    durationSec: 3,
    statusCodes: { '200': ok },
  };
  return { target, mode, connections, load, rssBytes: 100 * 1024 * 1024, cpuMs: figures.cpuMs };
}

/** A run where the passthrough does 1000 req/s at c=16 (p99 4 ms, 100 µs CPU/req) and 0.5 ms p50 at c=1 (300 µs CPU/req). */
function run(gateway: { rps16: number; p99Ms16: number; cpuPerReqUs: number; p50AsyncMs: number; p50DurableMs: number }): CellResult[] {
  const cells: CellResult[] = [];
  for (const mode of ['json', 'stream'] as const) {
    cells.push(cell('passthrough', mode, 16, { rps: 1000, p50Ms: 2, p99Ms: 4, cpuMs: 300 }));
    cells.push(cell('gw-all', mode, 16, { rps: gateway.rps16, p50Ms: 3, p99Ms: gateway.p99Ms16, cpuMs: (gateway.cpuPerReqUs * gateway.rps16 * 3) / 1000 }));
    cells.push(cell('passthrough', mode, 1, { rps: 2000, p50Ms: 0.5, p99Ms: 1, cpuMs: 1800 }));
    cells.push(cell('gw-all', mode, 1, { rps: 1000, p50Ms: 1, p99Ms: 2, cpuMs: (gateway.cpuPerReqUs * 1000 * 3) / 1000 }));
    cells.push(cell('gw-audit-async', mode, 1, { rps: 1500, p50Ms: gateway.p50AsyncMs, p99Ms: 1, cpuMs: 600 }));
    cells.push(cell('gateway', mode, 1, { rps: 1000, p50Ms: gateway.p50DurableMs, p99Ms: 2, cpuMs: 600 }));
  }
  return cells;
}

/** The printed lines with runs of spaces (column padding) folded to one. */
const collapse = (text: string): string[] => text.split('\n').map((line) => line.split(' ').filter((w) => w !== '').join(' '));

const find = (lines: readonly TargetLine[], target: string, metric: TargetLine['metric'], mode: BodyMode, connections: number): TargetLine | undefined =>
  lines.find((l) => l.target === target && l.metric === metric && l.mode === mode && l.connections === connections);

t.test('a gateway inside every target passes every line', async (t) => {
  const lines = judgeTargets(run({ rps16: 700, p99Ms16: 7, cpuPerReqUs: 150, p50AsyncMs: 0.6, p50DurableMs: 1.2 }), 600);
  t.equal(lines.length, 12, 'c=16 ×req/s and ×p99 (json, stream), c=1 async and durable overhead (json, stream), ×CPU at c=16 and c=1 (json, stream)');
  t.same(lines.filter((l) => l.pass !== true), []);
  t.equal(find(lines, 'gw-all', '×req/s', 'json', 16)?.value, 0.7);
  t.equal(find(lines, 'gw-all', '×p99', 'stream', 16)?.value, 1.75);
  t.equal(Math.round(find(lines, 'gw-audit-async', 'p50 overhead µs', 'json', 1)?.value ?? 0), 100, '0.6 ms − 0.5 ms');
  const durable = find(lines, 'gateway', 'p50 overhead µs', 'stream', 1);
  t.equal(Math.round(durable?.value ?? 0), 700);
  t.equal(durable?.limit, 750, 'one fsync (600 µs) + 150 µs');
  t.equal(find(lines, 'gw-all', '×CPU', 'json', 16)?.value?.toFixed(2), '1.50', '150 µs ÷ 100 µs per request');
  t.equal(find(lines, 'gw-all', '×CPU', 'json', 1)?.value?.toFixed(2), '0.50', '150 µs ÷ 300 µs per request');
});

t.test('each limit is a boundary: just past it is a MISS', async (t) => {
  const lines = judgeTargets(run({ rps16: 590, p99Ms16: 8.4, cpuPerReqUs: 201, p50AsyncMs: 0.66, p50DurableMs: 1.26 }), 600);
  t.equal(find(lines, 'gw-all', '×req/s', 'json', 16)?.pass, false, '0.59 < 0.6');
  t.equal(find(lines, 'gw-all', '×p99', 'json', 16)?.pass, false, '2.1 > 2');
  t.equal(find(lines, 'gw-audit-async', 'p50 overhead µs', 'json', 1)?.pass, false, '160 µs > 150 µs');
  t.equal(find(lines, 'gateway', 'p50 overhead µs', 'json', 1)?.pass, false, '760 µs > 600 + 150 µs');
  t.equal(find(lines, 'gw-all', '×CPU', 'stream', 16)?.pass, false, '2.01 > 2');
  const exact = judgeTargets(run({ rps16: 600, p99Ms16: 8, cpuPerReqUs: 200, p50AsyncMs: 0.65, p50DurableMs: 1.25 }), 600);
  t.equal(find(exact, 'gw-all', '×req/s', 'json', 16)?.pass, true, '0.6 meets ≥ 0.6');
  t.equal(find(exact, 'gw-all', '×p99', 'json', 16)?.pass, true, '2 meets ≤ 2');
  t.equal(find(exact, 'gw-all', '×CPU', 'json', 16)?.pass, true, '2 meets ≤ 2');
});

t.test('what the run did not measure is n/a, never a PASS', async (t) => {
  const cells = run({ rps16: 700, p99Ms16: 7, cpuPerReqUs: 150, p50AsyncMs: 0.6, p50DurableMs: 1.2 }).filter((c) => c.target !== 'gw-audit-async' && c.mode === 'json');
  const lines = judgeTargets(cells, undefined);
  t.equal(find(lines, 'gw-audit-async', 'p50 overhead µs', 'json', 1)?.pass, undefined, 'target not in the run');
  t.equal(find(lines, 'gw-all', '×req/s', 'stream', 16)?.pass, undefined, 'mode not in the run');
  const durable = find(lines, 'gateway', 'p50 overhead µs', 'json', 1);
  t.equal(durable?.pass, undefined, 'no fsync figure: no limit to judge against');
  t.equal(durable?.limitNote, 'fsync not measured');
  const printed = collapse(formatTargetLines(lines));
  t.ok(printed.includes('n/a c=1 json gw-audit-async p50 overhead µs not measured target ≤ 150'), printed.join('\n'));
  t.ok(printed.includes('PASS c=16 json gw-all ×req/s 0.70 target ≥ 0.60'), printed.join('\n'));
  t.ok(printed.includes('n/a c=1 json gateway p50 overhead µs 700 target ≤ ? (fsync not measured)'), printed.join('\n'));
});

t.test('the printed lines say MISS with the value and the fsync that made the limit', async (t) => {
  const lines = judgeTargets(run({ rps16: 420, p99Ms16: 12, cpuPerReqUs: 500, p50AsyncMs: 1.5, p50DurableMs: 2.5 }), 612.4);
  const printed = collapse(formatTargetLines(lines));
  t.equal(printed.length, 12);
  t.equal(printed[0], 'MISS c=16 json gw-all ×req/s 0.42 target ≥ 0.60');
  t.ok(printed.includes('MISS c=1 stream gateway p50 overhead µs 2000 target ≤ 762 (fsync 612 + 150)'), printed.join('\n'));
});
