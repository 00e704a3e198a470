// The one-fsync figure `npm run bench` prints at start and judges the c=1 durable target with.
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import t from 'tap';
import { measureFsyncUs, median } from '../../bench/fsync-probe.js';

t.test('the figure is the median of the probe rounds', async (t) => {
  t.equal(median([900, 100, 300]), 300, 'one slow round does not move it');
  t.equal(median([400, 100, 300, 200]), 250);
  t.ok(Number.isNaN(median([])));
});

t.test('the probe appends and fdatasyncs in the temp dir, and leaves nothing behind', async (t) => {
  const before = readdirSync(tmpdir()).filter((name) => name.startsWith('wj-bench-fsync-'));
  const probe = measureFsyncUs(5);
  t.ok(Number.isFinite(probe.medianUs) && probe.medianUs > 0, `a positive duration (${probe.medianUs.toFixed(0)} µs)`);
  t.equal(probe.dir, tmpdir());
  t.ok(existsSync(probe.dir));
  t.same(readdirSync(tmpdir()).filter((name) => name.startsWith('wj-bench-fsync-')), before, 'its temp dir is removed');
});
