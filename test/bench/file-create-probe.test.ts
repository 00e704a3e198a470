// The file-create figure `npm run bench` prints at start, and its wait for the filesystem to settle.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import t from 'tap';
import { measureFileCreateUs, waitForCheapFileCreates } from '../../bench/file-create-probe.js';

const probeDirs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('wj-bench-create-'));

t.test('the probe creates the files it counts and keeps them until cleanup', async (t) => {
  const before = probeDirs();
  const probe = measureFileCreateUs(20);
  t.ok(Number.isFinite(probe.perFileUs) && probe.perFileUs > 0, `a positive CPU cost (${probe.perFileUs.toFixed(0)} µs)`);
  const made = probeDirs().filter((name) => !before.includes(name));
  t.equal(made.length, 1, 'one temp dir');
  t.equal(readdirSync(`${tmpdir()}/${made[0]}`).filter((n) => n.endsWith('.json')).length, 20, 'holding every file, renamed into place');
  probe.cleanup();
  t.same(probeDirs(), before, 'cleanup removes it');
});

t.test('the wait probes again until creates are cheap enough, within its bound, then cleans up every probe', async (t) => {
  const before = probeDirs();
  const lines: string[] = [];
  // No create costs 0 µs: three probes (0, 30 and 60 ms of sleep), then it gives up.
  const slow = await waitForCheapFileCreates({ settledUs: 0, maxWaitMs: 50, pollMs: 30, log: (line) => lines.push(line) });
  t.equal(slow.waitedMs, 60, 'gave up once it had slept past its bound');
  t.equal(lines.length, 2, 'saying why before each sleep');
  t.match(lines[0], /costs \d+ µs of CPU .*waiting/);
  t.equal(probeDirs().length - before.length, 3, 'each probe kept its files meanwhile');
  slow.cleanup();
  t.same(probeDirs(), before);
  const settled = await waitForCheapFileCreates({ settledUs: Number.MAX_SAFE_INTEGER, maxWaitMs: 60_000, pollMs: 10_000, log: (line) => lines.push(line) });
  t.equal(settled.waitedMs, 0, 'a cheap create needs no wait');
  settled.cleanup();
});
