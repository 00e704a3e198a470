import t, { type Test } from 'tap';
import fc from 'fast-check';
import { Histogram, Registry, type RegistryContentType } from 'prom-client';
import { BoundHistogram } from '../../proxy/observability/bound-histogram.js';

/**
 * BoundHistogram must be invisible to anyone reading /metrics: the same observations into it and
 * into prom-client's own Histogram give the same exposition text and the same JSON, including
 * values on a bound, above the top bound, zero and negatives, label values the registry escapes,
 * registry default labels, the OpenMetrics format, and after `resetMetrics()`.
 */

const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const NAME = 'workjet_stage_duration_seconds';
const HELP = 'Time spent in each pipeline stage (forward includes the provider; audit includes the spool fsync).';
const LABEL_SETS: readonly (readonly [string, string])[] = [
  ['chat', 'identify'],
  ['chat', 'forward'],
  ['messages', 'forward'],
  ['embeddings', 'say "hi"\\\nthere'],
];

interface Pair {
  readonly prom: Registry<RegistryContentType>;
  readonly bound: Registry<RegistryContentType>;
  observe(set: number, value: number): void;
}

/** The same histogram twice, each in its own registry; `observe` goes to both through bound children. */
function pair(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): Pair {
  const prom = new Registry<RegistryContentType>();
  const bound = new Registry<RegistryContentType>();
  prom.setContentType(contentType);
  bound.setContentType(contentType);
  const config = { name: NAME, help: HELP, labelNames: ['route', 'stage'] as const, buckets: BUCKETS };
  const reference = new Histogram({ ...config, registers: [prom] });
  const subject = new BoundHistogram({ ...config, registers: [bound] });
  const promChildren = LABEL_SETS.map(([route, stage]) => reference.labels(route, stage));
  const boundChildren = LABEL_SETS.map(([route, stage]) => subject.labels(route, stage));
  return {
    prom,
    bound,
    observe(set, value) {
      promChildren[set]!.observe(value);
      boundChildren[set]!.observe(value);
    },
  };
}

async function assertSameExposition(t: Test, p: Pair, what: string): Promise<void> {
  t.equal(await p.bound.metrics(), await p.prom.metrics(), `${what}: same text`);
  t.strictSame(await p.bound.getMetricsAsJSON(), await p.prom.getMetricsAsJSON(), `${what}: same JSON`);
}

// Every bound, a hair either side of a few, zero, negatives, above the top bound, and sums that round.
const SPREAD = [...BUCKETS, 0, -0, -1, 0.000049, 0.0000501, 0.1 + 0.2, 0.3, 59.999, 60.0001, 61, 1e6, 1e-9, Number.MIN_VALUE, 7];

t.test('the same observations give the same text and JSON as prom-client', async (t) => {
  const p = pair();
  await assertSameExposition(t, p, 'nothing observed');
  SPREAD.forEach((value, i) => p.observe(i % 3, value));
  p.observe(2, 0.0001);
  await assertSameExposition(t, p, 'three label sets');
  const text = await p.bound.metrics();
  t.match(text, `${NAME}_bucket{le="0.00005",route="chat",stage="identify"}`);
  t.match(text, `${NAME}_bucket{le="+Inf",route="messages",stage="forward"}`);
});

t.test('label values the registry escapes, default labels and OpenMetrics match too', async (t) => {
  for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE] as const) {
    const p = pair(contentType);
    for (const registry of [p.prom, p.bound]) registry.setDefaultLabels({ instance: 'gw-1' });
    [3, 0, 3, 1].forEach((set, i) => p.observe(set, SPREAD[i * 5]!));
    await assertSameExposition(t, p, contentType);
  }
});

t.test('resetMetrics empties both alike and bound children keep counting afterwards', async (t) => {
  const p = pair();
  SPREAD.forEach((value, i) => p.observe(i % 4, value));
  for (const registry of [p.prom, p.bound]) registry.resetMetrics();
  await assertSameExposition(t, p, 'after reset');
  p.observe(1, 0.02);
  p.observe(0, 3);
  await assertSameExposition(t, p, 'observed after reset, in a new order');
});

t.test('a histogram without labels shows its zeroed series from the start, as prom-client does', async (t) => {
  const prom = new Registry();
  const bound = new Registry();
  const config = { name: 'jobs_seconds', help: 'Job time.', labelNames: [] as const, buckets: [0.5, 1] };
  const reference = new Histogram({ ...config, registers: [prom] });
  const subject = new BoundHistogram({ ...config, registers: [bound] });
  t.equal(await bound.metrics(), await prom.metrics(), 'before any observe');
  reference.observe(0.7);
  subject.labels().observe(0.7);
  t.equal(await bound.metrics(), await prom.metrics(), 'after one observe');
  prom.resetMetrics();
  bound.resetMetrics();
  t.equal(await bound.metrics(), await prom.metrics(), 'after reset');
});

t.test('property: any observations into any label sets match prom-client', async (t) => {
  const value = fc.oneof(fc.constantFrom(...SPREAD), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, max: 70, noNaN: true }));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: LABEL_SETS.length - 1 }), value), { maxLength: 60 }), async (observations) => {
      const p = pair();
      for (const [set, v] of observations) p.observe(set, v);
      return (await p.bound.metrics()) === (await p.prom.metrics());
    }),
    { numRuns: 150 },
  );
  t.pass('150 runs matched');
});

t.test('labels() returns one child per label set and its counts survive across calls', async (t) => {
  const registry = new Registry();
  const h = new BoundHistogram({ name: 'h_seconds', help: 'h', labelNames: ['route'] as const, buckets: [1, 2], registers: [registry] });
  const chat = h.labels('chat');
  t.equal(h.labels('chat'), chat, 'same object for the same values');
  t.not(h.labels('messages'), chat, 'another object for other values');
  chat.observe(0.5);
  h.labels('chat').observe(1.5);
  h.labels('chat').observe(3);
  const lines = (await registry.metrics()).split('\n').filter((l) => l.includes('route="chat"'));
  t.strictSame(lines, [
    'h_seconds_bucket{le="1",route="chat"} 1',
    'h_seconds_bucket{le="2",route="chat"} 2',
    'h_seconds_bucket{le="+Inf",route="chat"} 3',
    'h_seconds_sum{route="chat"} 5',
    'h_seconds_count{route="chat"} 3',
  ]);
  t.notOk((await registry.metrics()).includes('messages'), 'a bound but never observed child is not exported');
});

t.test('non-finite values throw the TypeError prom-client throws and count nothing', async (t) => {
  const reference = new Histogram({ name: 'r', help: 'r', labelNames: ['a'], registers: [] }).labels('x');
  const registry = new Registry();
  const child = new BoundHistogram({ name: 'b', help: 'b', labelNames: ['a'] as const, buckets: [1], registers: [registry] }).labels('x');
  const thrown = (fn: () => void): unknown => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return undefined;
  };
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    const expected = thrown(() => reference.observe(bad));
    t.type(expected, TypeError, `prom-client refuses ${bad}`);
    const got = thrown(() => child.observe(bad));
    t.type(got, TypeError);
    t.equal((got as Error).message, (expected as Error).message, 'BoundHistogram throws the same message');
  }
  t.notOk((await registry.metrics()).includes('b_count'), 'nothing was recorded');
});

t.test('bad configs and bad label counts are refused', async (t) => {
  const base = { name: 'ok_seconds', help: 'h', labelNames: ['route'] as string[], buckets: [1, 2], registers: [] };
  t.throws(() => new BoundHistogram({ ...base, name: 'bad-name' }), /Invalid metric name/);
  t.throws(() => new BoundHistogram({ ...base, help: '' }), /help/);
  t.throws(() => new BoundHistogram({ ...base, labelNames: ['le'] }), /reserved/);
  t.throws(() => new BoundHistogram({ ...base, labelNames: ['no-dash'] }), /Invalid label name/);
  t.throws(() => new BoundHistogram({ ...base, buckets: [2, 1] }), /ascending/);
  t.throws(() => new BoundHistogram({ ...base, buckets: [1, 1] }), /ascending/);
  t.throws(() => new BoundHistogram({ ...base, buckets: [1, Number.POSITIVE_INFINITY] }), /finite/);
  const h = new BoundHistogram(base);
  t.throws(() => h.labels('a', 'b'), /Invalid number of arguments \(2\)/);
  t.throws(() => h.labels(), /Invalid number of arguments \(0\)/);
});
