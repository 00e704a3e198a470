import { parseArgs } from 'node:util';
import { replayInput, runFuzz, startFuzzTarget } from '../test/fuzz/http-json-surface.js';

/**
 * `npm run fuzz [-- --count N --seed S --concurrency C]`: property-based fuzzing of the
 * gateway's HTTP+JSON surface (default 10^6 inputs, a fresh seed). Exit 1 at the first answer
 * ≥ 500 or dropped connection, printing the seed, chunk and index that replay it
 * (`npm run fuzz -- --seed S --chunk C --index I` sends that one input and prints it).
 */
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    'chunk-size': { type: 'string', default: '1000' },
    chunk: { type: 'string' },
    index: { type: 'string' },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const chunkSize = Number(values['chunk-size']);
const target = await startFuzzTarget();
const started = performance.now();
try {
  if (values.chunk !== undefined && values.index !== undefined) {
    const input = replayInput(target, seed, Number(values.chunk), Number(values.index), chunkSize);
    console.log(JSON.stringify(input, null, 2));
    console.log('status', await target.send(input));
  } else {
    const count = Number(values.count);
    console.log(`fuzz: seed ${seed}, ${count} inputs, concurrency ${values.concurrency}`);
    const result = await runFuzz(target, {
      seed,
      count,
      chunkSize,
      concurrency: Number(values.concurrency),
      onChunk: (sent) => {
        if (sent % (chunkSize * 10) === 0) console.log(`  ${sent} inputs, ${((performance.now() - started) / 1000).toFixed(0)} s, 0 failures`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const statuses = [...result.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`fuzz: ${result.sent} inputs in ${seconds.toFixed(1)} s (${(result.sent / seconds).toFixed(0)}/s); statuses {${statuses}}`);
    if (result.failure) {
      const f = result.failure;
      console.log(`FAILED: status ${f.status} for input ${JSON.stringify(f.input).slice(0, 2000)}`);
      console.log(`replay: npm run fuzz -- --seed ${f.seed} --chunk ${f.chunk} --index ${f.index} --chunk-size ${chunkSize}`);
      process.exitCode = 1;
    } else console.log('fuzz: 0 answers ≥ 500, 0 dropped connections');
  }
} finally {
  await target.close();
}
