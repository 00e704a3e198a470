// The bench's per-stage breakdown reads the gateway's own /metrics text: sums and counts per
// stage across routes, differenced around one load cell.
import t from 'tap';
import { formatStageMeans, parseSpoolBacklog, parseStageTotals, stageMeansMs } from '../../bench/stage-breakdown.js';

const scrape = (identify: [number, number], forward: [number, number], backlog: number): string =>
  [
    '# HELP workjet_stage_duration_seconds Time spent in each pipeline stage.',
    '# TYPE workjet_stage_duration_seconds histogram',
    `workjet_stage_duration_seconds_bucket{le="0.001",route="chat",stage="identify"} ${identify[1]}`,
    `workjet_stage_duration_seconds_sum{route="chat",stage="identify"} ${identify[0]}`,
    `workjet_stage_duration_seconds_count{route="chat",stage="identify"} ${identify[1]}`,
    `workjet_stage_duration_seconds_sum{route="chat",stage="forward"} ${forward[0] / 2}`,
    `workjet_stage_duration_seconds_count{route="chat",stage="forward"} ${forward[1] / 2}`,
    `workjet_stage_duration_seconds_sum{route="messages",stage="forward"} ${forward[0] / 2}`,
    `workjet_stage_duration_seconds_count{route="messages",stage="forward"} ${forward[1] / 2}`,
    `workjet_audit_spool_records ${backlog}`,
    'workjet_requests_total{route="chat",tenant="acme",status="200",code=""} 4',
  ].join('\n');

t.test('mean ms per request of each stage over one cell, summed over routes', async (t) => {
  const before = parseStageTotals(scrape([0.001, 10], [0.02, 10], 0));
  const after = parseStageTotals(scrape([0.003, 30], [0.1, 30], 7));
  const means = stageMeansMs(before, after);
  t.same(means.map((m) => m.stage), ['identify', 'forward']);
  t.equal(means[0]?.meanMs.toFixed(3), '0.100', '2 ms over 20 requests');
  t.equal(means[1]?.meanMs.toFixed(3), '4.000', '80 ms over 20 requests, both routes');
  t.equal(formatStageMeans(means), 'identify 0.10  forward 4.00');
  t.equal(parseSpoolBacklog(scrape([0, 0], [0, 0], 7)), 7);
});

t.test('a target without the stage metric has no breakdown', async (t) => {
  t.equal(parseStageTotals('workjet_requests_total{route="chat"} 4\n').size, 0);
  t.equal(parseSpoolBacklog('nothing here'), undefined);
  t.same(stageMeansMs(new Map(), new Map()), []);
});
