// The memory cell's client: N streams opened at once, each seen showing its first words while the
// fake provider holds the rest, then each checked for the whole answer once released.
import t from 'tap';
import { DEFAULT_TEXT } from '../fake-provider/behavior.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { benchBody } from '../../bench/bench-request.js';
import { HeldStreams } from '../../bench/held-streams.js';
import { checkStreams } from '../../bench/memory-report.js';

const COUNT = 40;

t.test('held streams show their first words, stay open until released, then end complete', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const releases = Array.from({ length: COUNT }, () => fake.holdStream());
  const streams = HeldStreams.open({ url: `${fake.openaiBaseUrl}/chat/completions`, headers: { 'content-type': 'application/json' }, body: benchBody('stream'), count: COUNT });
  t.teardown(() => streams.close());

  await streams.waitUntil('all showing content', (p) => p.showingContent === COUNT, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(streams.progress(), { started: COUNT, showingContent: COUNT, ended: 0, failed: 0 }, 'every stream is open at once and none has ended while held');
  t.equal(fake.requests.length, COUNT, 'one upstream request per stream');

  for (const release of releases) release();
  const outcomes = await streams.outcomes();
  t.same(checkStreams(outcomes, DEFAULT_TEXT), { total: COUNT, ok: COUNT, failures: {} });
});

t.test('a stream cut short and an error answer are counted as failed, with the reason, not hidden', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  fake.enqueue({ dieMidStream: true });
  fake.enqueue({ status: 503 });
  const streams = HeldStreams.open({ url: `${fake.openaiBaseUrl}/chat/completions`, headers: { 'content-type': 'application/json' }, body: benchBody('stream'), count: 3 });
  t.teardown(() => streams.close());
  const check = checkStreams(await streams.outcomes(), DEFAULT_TEXT);
  t.equal(check.ok, 1);
  t.same(Object.values(check.failures), [1, 1], JSON.stringify(check.failures));
  t.ok(Object.keys(check.failures).some((k) => k.startsWith('status 503: {')), 'the error answer is quoted');
  t.same(streams.progress(), { started: 3, showingContent: 1, ended: 3, failed: 2 });
  t.match(streams.firstFailure(), /^status (200, other side closed|503, \{)/);
  await t.rejects(
    streams.waitUntil('never', () => false, 50),
    /never: not reached after 50 ms/,
    'a wait that cannot be met names what it waited for',
  );
});
