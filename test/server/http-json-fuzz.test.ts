import t from 'tap';
import { runFuzz, startFuzzTarget } from '../fuzz/http-json-surface.js';

// A short, fixed-seed run of the fuzz (`npm run fuzz` runs ≥ 10^6 inputs with a fresh seed).
const SEED = 15_0001;

t.test('fuzzed HTTP+JSON requests never get a 5xx and the gateway keeps serving', async (t) => {
  const target = await startFuzzTarget();
  t.teardown(() => target.close());
  const result = await runFuzz(target, { seed: SEED, count: 2000, chunkSize: 500, concurrency: 8 });
  if (result.failure) t.comment(`replay: npm run fuzz -- --seed ${result.failure.seed} --chunk ${result.failure.chunk} --index ${result.failure.index} --chunk-size 500`);
  t.equal(result.failure, undefined, 'no answer ≥ 500 and no dropped connection');
  t.equal(result.sent, 2000);
  const statuses = [...result.statuses.keys()].sort();
  t.ok(statuses.includes(200) && statuses.includes(400) && statuses.includes(401), `a spread of answers: ${statuses.join(', ')}`);
});
