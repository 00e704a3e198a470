import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { parseConfig } from '../proxy/config/load-config.js';
import { createGateway } from '../proxy/server/gateway.js';
import { createLogger } from '../proxy/observability/logger.js';
import { generateApiKey, hashApiKey } from '../proxy/identity/api-keys.js';
import { BUILTIN_DETECTOR_IDS } from '../proxy/dlp/detectors/index.js';

/**
 * Noisy-neighbour bench (`npm run bench:neighbour`, under a minute): tenant B's latency for small
 * chat requests alone, then while tenant A keeps two 2 MiB hostile prompts (a `password=…` soup,
 * every detector on) in flight — with DLP scan workers (NEIGHBOUR_WORKERS, default 1 as in the config) and, for contrast, with
 * `server.dlpWorkers: 0` (every scan on the event loop). The gateway runs in this process on the
 * built-in demo provider; the client side is two tiny loops. Figures depend on the machine's load.
 */

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PHASE_MS = Number(process.env['NEIGHBOUR_PHASE_MS'] ?? 8000);
const HOSTILE_BYTES = 2 * 1024 * 1024 - 512;

function soup(bytes: number): string {
  return 'password=Xq7#mP2$ '.repeat(Math.ceil(bytes / 18)).slice(0, bytes);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function runVariant(dlpWorkers: number): Promise<{ alone: number[]; underAttack: number[]; hostileDone: number; refusedB: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wj-neighbour-'));
  const keyA = generateApiKey();
  const keyB = generateApiKey();
  const tenant = (id: string, key: string, dlp: Record<string, unknown>) => ({
    id,
    providers: { demo: { type: 'demo' } },
    tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
    users: [{ id: 'u', role: 'member' }],
    apiKeys: [{ id: `key-${id}`, user: 'u', sha256: hashApiKey(key) }],
    dlp,
  });
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0, dlpWorkers },
    policy: { bundle: join(REPO_ROOT, 'policies/build/bundle.tar.gz') },
    audit: { dir },
    logging: { level: 'warn' },
    tenants: [
      tenant('tenant-a', keyA, { detectors: Object.fromEntries(BUILTIN_DETECTOR_IDS.map((d) => [d, 'log'])) }),
      tenant('tenant-b', keyB, { detectors: { email: 'redact', credit_card: 'block' } }),
    ],
  });
  const gateway = await createGateway(config, { logger: createLogger({ level: 'warn' }), repoRoot: REPO_ROOT, defaultMetrics: false });
  const { port } = await gateway.listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: 8 });
  const post = async (key: string, body: string): Promise<number> => {
    const res = await request(`${origin}/v1/chat/completions`, { method: 'POST', dispatcher: agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    await res.body.dump();
    return res.statusCode;
  };
  const small = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'What is the capital of France? Reply in one word.' }] });
  const hostile = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: soup(HOSTILE_BYTES) }] });
  let refusedB = 0;
  const measureB = async (ms: number): Promise<number[]> => {
    const out: number[] = [];
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const started = performance.now();
      const status = await post(keyB, small);
      // 503 `overloaded` is the overload shedder protecting the process (e.g. with every scan
      // on the event loop): count it as a refusal of B, not as a latency sample.
      if (status === 503) refusedB++;
      else if (status !== 200) throw new Error(`tenant B got ${status}`);
      else out.push(performance.now() - started);
    }
    return out;
  };
  let attacking = false;
  let attackers: Promise<void>[] = [];
  try {
    await measureB(1000); // warm-up
    const alone = await measureB(PHASE_MS);
    attacking = true;
    let hostileDone = 0;
    const attacker = async (): Promise<void> => {
      while (attacking) {
        await post(keyA, hostile);
        hostileDone++;
      }
    };
    attackers = [attacker(), attacker()];
    await new Promise((r) => setTimeout(r, 300)); // let the first hostile bodies arrive
    refusedB = 0;
    const underAttack = await measureB(PHASE_MS);
    attacking = false;
    await Promise.all(attackers);
    return { alone, underAttack, hostileDone, refusedB };
  } finally {
    // When tenant B's phase failed, stop the attackers before closing their client, so the
    // failure that matters is the one reported (not the attackers' "client is closed").
    attacking = false;
    await Promise.allSettled(attackers);
    await agent.close();
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function line(label: string, samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label.padEnd(34)} n=${String(sorted.length).padStart(5)}  p50=${percentile(sorted, 0.5).toFixed(1).padStart(7)} ms  p99=${percentile(sorted, 0.99).toFixed(1).padStart(8)} ms  max=${(sorted[sorted.length - 1] ?? NaN).toFixed(1).padStart(8)} ms`;
}

const workers = Number(process.env['NEIGHBOUR_WORKERS'] ?? 1);
const variants = process.env['NEIGHBOUR_INLINE'] === '0' ? [workers] : [workers, 0];
for (const workers of variants) {
  const result = await runVariant(workers);
  const alone = [...result.alone].sort((a, b) => a - b);
  const attacked = [...result.underAttack].sort((a, b) => a - b);
  const ratio = percentile(attacked, 0.99) / percentile(alone, 0.99);
  console.log(`dlpWorkers=${workers}${workers === 0 ? ' (every scan on the event loop)' : ''}`);
  console.log('  ' + line('tenant B alone', result.alone));
  console.log('  ' + line('tenant B while A sends 2 MiB soups', result.underAttack));
  console.log(`  p99 ratio ${ratio.toFixed(2)}× (target ≤ 2×); tenant A's hostile requests completed: ${result.hostileDone}; tenant B's requests refused 503 during the attack: ${result.refusedB}`);
}
process.exit(0);
