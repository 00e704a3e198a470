// `npm run bench:rate`: the gateway (compiled, default bench config) at fixed request rates, one
// request at a time, reporting the process CPU per request and where the wall time goes. On a
// shared VM the CPU per request at a fixed rate moves far less between runs than peak throughput
// does, so it is the yardstick for changes that save work rather than waiting.
// Env: RATES (req/s per phase, default `100,100,100,20`), PHASE_SECONDS (default 5).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiKey, hashApiKey } from '../proxy/identity/api-keys.js';
import { benchBody } from './bench-request.js';
import { readCpuMs } from './process-sampler.js';
import { killAllTargets, spawnTarget } from './spawn-target.js';
import { formatStageMeans, scrapeStages, stageMeansMs } from './stage-breakdown.js';
import { buildPlans } from './target-plans.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const REPO_ROOT = FROM_SOURCE ? join(HERE, '..') : join(HERE, '../..');
const TSX_IMPORT = ['--import', import.meta.resolve('tsx')];
const RATES = (process.env['RATES'] ?? '100,100,100,20').split(',').map(Number);
const PHASE_MS = Number(process.env['PHASE_SECONDS'] ?? 5) * 1000;
const PROFILE = process.env['BENCH_CPU_PROFILE'] === '1';
if (RATES.some((r) => !(r > 0)) || !(PHASE_MS > 0)) throw new Error('RATES must be positive numbers and PHASE_SECONDS a positive number');

const childScript = (name: string): string => join(HERE, `${name}${FROM_SOURCE ? '.ts' : '.js'}`);
const fake = await spawnTarget({ name: 'fake-provider', script: childScript('fake-provider-target'), execArgv: TSX_IMPORT });
try {
  const upstreamBaseUrl = fake.info['baseUrl'];
  if (!upstreamBaseUrl) throw new Error('the fake provider did not report its baseUrl');
  const apiKey = generateApiKey();
  const [plan] = buildPlans(['gateway'], {
    fake,
    upstreamBaseUrl,
    apiKeySha256: hashApiKey(apiKey),
    policyBundle: join(REPO_ROOT, 'policies/build/bundle.tar.gz'),
    childScript,
    // BENCH_CPU_PROFILE=1: a V8 CPU profile of the gateway at bench/results/profiles/rate-gateway.cpuprofile.
    childExecArgv: () => [
      ...(FROM_SOURCE ? TSX_IMPORT : []),
      ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(REPO_ROOT, 'bench/results/profiles')}`, '--cpu-prof-name=rate-gateway.cpuprofile'] : []),
    ],
  });
  if (!plan) throw new Error('no gateway plan');
  const gateway = await plan.start();
  const url = `http://127.0.0.1:${gateway.port}${plan.path}`;
  const init = { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: benchBody('json') };
  const smoke = await fetch(url, init);
  if (smoke.status !== 200) throw new Error(`the gateway answered ${smoke.status}: ${(await smoke.text()).slice(0, 300)}`);
  await smoke.arrayBuffer();
  process.stdout.write(`${plan.name} at fixed rates, one request at a time, ${PHASE_MS / 1000} s per phase\n`);
  for (const rate of RATES) {
    const stagesBefore = await scrapeStages(gateway.port);
    const cpuBefore = readCpuMs(gateway.pid) ?? 0;
    const started = Date.now();
    let done = 0;
    while (Date.now() - started < PHASE_MS) {
      const due = started + (done * 1000) / rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`the gateway answered ${res.status}`);
      done++;
    }
    const seconds = (Date.now() - started) / 1000;
    const cpuMs = (readCpuMs(gateway.pid) ?? 0) - cpuBefore;
    const stagesAfter = await scrapeStages(gateway.port);
    const stages = stagesBefore && stagesAfter ? `  stages ms: ${formatStageMeans(stageMeansMs(stagesBefore.stages, stagesAfter.stages))}` : '';
    process.stdout.write(`${String(rate).padStart(5)} req/s asked, ${(done / seconds).toFixed(0).padStart(4)} done: CPU ${((cpuMs / seconds) / 10).toFixed(1).padStart(5)}% of a core, ${((cpuMs * 1000) / done).toFixed(0).padStart(5)} µs/request${stages}\n`);
  }
  await gateway.stop();
} finally {
  await fake.stop();
  killAllTargets();
}
