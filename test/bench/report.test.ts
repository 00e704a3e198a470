// The `npm run bench` table: each row's figures and its ratios to the passthrough of the same
// mode and concurrency, passthrough first in each block, failures listed at the end.
import t from 'tap';
import type { LoadResult } from '../../bench/load.js';
import { cpuPerRequestUs, formatTable, ratiosFor, type CellResult } from '../../bench/report.js';

function cell(target: string, rps: number, p50Ms: number, cpuMs: number, failed = 0): CellResult {
  const load: LoadResult = { requestsPerSec: rps, p50Ms, p99Ms: p50Ms * 2, meanMs: p50Ms, ok: rps * 2, non2xx: failed, errors: 0, timeouts: 0, durationSec: 2, statusCodes: { '200': rps * 2 } };
  return { target, mode: 'json', connections: 16, load, rssBytes: 100 * 1024 * 1024, cpuMs };
}

t.test('ratios are against the passthrough of the same shape', async (t) => {
  const floor = cell('passthrough', 1000, 2, 200);
  const gw = cell('gateway', 500, 5, 600);
  t.equal(cpuPerRequestUs(gw), 600, '600 ms over 1,000 requests');
  t.same(ratiosFor(gw, [floor, gw]), { requestsPerSec: 0.5, p50: 2.5, p99: 2.5, rss: 1, cpu: 6 });
  t.equal(ratiosFor(gw, [gw]), undefined, 'no passthrough in the run: no ratios');
  t.ok(Number.isNaN(cpuPerRequestUs(cell('gateway', 0, 1, 10))), 'no completed request: no CPU figure');
});

t.test('the table puts the passthrough first and lists failures', async (t) => {
  const text = formatTable([cell('gateway', 500, 5, 600, 3), cell('passthrough', 1000, 2, 200)], [{ target: 'gw-limits-redis', reason: 'redis: not found' }]);
  const lines = text.split('\n').map((line) => line.split(' ').filter((w) => w !== '').join(' '));
  t.equal(lines[0], 'target mode c req/s p50 ms p99 ms RSS MiB CPU µs/req ×req/s ×p50 ×p99 ×RSS ×CPU failed');
  t.equal(lines[2], 'passthrough json 16 1000 2.00 4.00 100.0 100 1.00 1.00 1.00 1.00 1.00 0');
  t.equal(lines[3], 'gateway json 16 500 5.00 10.00 100.0 600 0.50 2.50 2.50 1.00 6.00 3');
  t.equal(lines.at(-1), 'FAILED gw-limits-redis: redis: not found');
});
