import t from 'tap';
import { Cluster } from 'ioredis';
import { pino } from 'pino';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { hashSlot } from '../../proxy/limits/hash-slot.js';
import { createRedisClient, closeRedis, waitForRedis } from '../../proxy/limits/redis-connection.js';
import { RedisSpendLedger } from '../../proxy/limits/redis-spend-ledger.js';
import { spawnGateway } from './gateway-process.js';
import { chat, gatewayConfig, limitsTenant } from './gateway-fixtures.js';

// Two gateway processes sharing a real 3-master Redis Cluster (`redis: { cluster: [...] }`):
// limits stay exact across instances, and a killed master follows redis.failMode (closed here).
// The 5 s command timeout (as in gateway-redis.test.ts) keeps a loaded CI machine from turning slow
// replies into 503s.
const cluster = await startRedisCluster(t);
const provider = await startFakeProvider();
t.teardown(() => provider.close());

const reader = createRedisClient({ cluster: cluster.urls }, { commandTimeoutMs: 2000, logger: pino({ level: 'silent' }), name: 'test-reader' });
t.teardown(() => closeRedis(reader));
await waitForRedis(reader, 10_000);
if (!(reader instanceof Cluster)) throw new Error('expected a Cluster client');
const clusterReader = reader;

/** Index (into cluster.ports) of the master serving tenant `id`'s hash tag. */
function masterOf(id: string): number {
  const slots = clusterReader.slots;
  const nodeKey = slots[hashSlot(`wj:{${id}}:`)]?.[0] ?? '';
  return cluster.ports.findIndex((port) => nodeKey.endsWith(`:${port}`));
}

// Tenants on two different masters, so a master's loss can be seen to touch only its own tenants.
const acmeTenant = limitsTenant(provider, 'acme', { rateLimits: { perUser: { requestsPerMinute: 100 } }, budget: { monthlyUsd: 1000 } });
const otherId = ['beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'].find((id) => masterOf(id) !== masterOf('acme')) ?? 'beta';
const otherTenant = limitsTenant(provider, otherId, { rateLimits: { perUser: { requestsPerMinute: 100_000 } }, budget: { monthlyUsd: 1000 } });
const raw = gatewayConfig([acmeTenant.tenant, otherTenant.tenant], { redis: { cluster: cluster.urls, failMode: 'closed', commandTimeoutMs: 5000 } });
const [a, b] = await Promise.all([spawnGateway(t, raw), spawnGateway(t, raw)]);
const ledger = new RedisSpendLedger(reader);
t.teardown(() => ledger.close());

t.test('two gateway processes on a Redis Cluster: exactly 100 of 400 concurrent requests pass a 100/min limit', async (t) => {
  let seq = 0;
  const results = await Promise.all(Array.from({ length: 400 }, (_, i) => chat((i % 2 === 0 ? a : b).baseURL, acmeTenant.key, { max_tokens: 10 }, () => ++seq)));
  const statuses: Record<number, number> = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  t.equal(results.filter((r) => r.status === 200).length, 100, `exactly 100 succeed across both instances (${JSON.stringify(statuses)})`);
  t.equal(results.filter((r) => r.status === 429 && r.body.includes('rate_limit_exceeded')).length, 300);
  const spend = await ledger.read(mintTenantScope('acme'));
  t.equal(spend.openReservations, 0, 'every reservation settled');
  t.equal(spend.spentMicroUsd, 100 * 9 * 20, 'and charged its real usage');
});

t.test('a master killed mid-load: its tenants get 503 dependency_unavailable fast (failMode closed), others are served; it rejoins with no gateway restart', async (t) => {
  const victim = masterOf('acme');
  t.not(victim, masterOf(otherId), `acme and ${otherId} live on different masters`);
  const load = async (key: string, n: number) => {
    const out: { status: number; ms: number; body: string }[] = [];
    for (let i = 0; i < n; i++) {
      const started = Date.now();
      const r = await chat((i % 2 === 0 ? a : b).baseURL, key, { max_tokens: 10 }, () => 0);
      out.push({ status: r.status, ms: Date.now() - started, body: r.body });
    }
    return out;
  };
  // Load on the other tenant runs while the master dies.
  const during = load(otherTenant.key, 40);
  await cluster.kill(victim);
  const down = await chat(a.baseURL, acmeTenant.key, { max_tokens: 10 }, () => 0);
  const downStarted = Date.now();
  const down2 = await chat(b.baseURL, acmeTenant.key, { max_tokens: 10 }, () => 0);
  t.equal(down.status, 503, `acme refused while its master is down: ${down.body}`);
  t.match(down.body, /dependency_unavailable/);
  t.equal(down2.status, 503);
  t.ok(Date.now() - downStarted < 8000, `answered in ${Date.now() - downStarted} ms (no hang: within the 5 s command timeout plus slack)`);
  const others = await during;
  t.ok(others.every((r) => r.status === 200 || r.status === 503), `only 200 or 503 for ${otherId} during the kill`);
  const otherAfter = await chat(b.baseURL, otherTenant.key, { max_tokens: 10 }, () => 0);
  t.equal(otherAfter.status, 200, `${otherId}, on a live master, is still served`);
  await cluster.revive(victim);
  const back = Date.now();
  let status = 0;
  while (Date.now() - back < 10_000) {
    status = (await chat(a.baseURL, acmeTenant.key, { max_tokens: 10 }, () => 0)).status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.equal(status, 200, `acme served again ${Date.now() - back} ms after its master rejoined`);
});
