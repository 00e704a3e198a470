import t from 'tap';
import { pino } from 'pino';
import { startRedisServer } from '../helpers/redis-server.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createRedisClient, closeRedis, waitForRedis } from '../../proxy/limits/redis-connection.js';
import { RedisSpendLedger } from '../../proxy/limits/redis-spend-ledger.js';
import { spawnGateway } from './gateway-process.js';
import { chat, gatewayConfig, limitsTenant, streamedUsage } from './gateway-fixtures.js';

function histogram(results: readonly { status: number; body: string }[]): string {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = r.status === 200 ? '200' : `${r.status} ${/"code":"([a-z_]+)"/.exec(r.body)?.[1] ?? ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

const redis = await startRedisServer(t);
const provider = await startFakeProvider();
t.teardown(() => provider.close());
// acme: a 100/min user limit (and a roomy budget); beta: a $1.00 budget and no rate limit.
const acmeTenant = limitsTenant(provider, 'acme', { rateLimits: { perUser: { requestsPerMinute: 100 } }, budget: { monthlyUsd: 1000 } });
const betaTenant = limitsTenant(provider, 'beta', { budget: { monthlyUsd: 1 } });
const raw = gatewayConfig([acmeTenant.tenant, betaTenant.tenant], { redis: { url: redis.url, failMode: 'closed', commandTimeoutMs: 5000 } });
const key = acmeTenant.key;
const [a, b] = await Promise.all([spawnGateway(t, raw), spawnGateway(t, raw)]);
const client = createRedisClient(redis.url, { commandTimeoutMs: 2000, logger: pino({ level: 'silent' }), name: 'test-reader' });
t.teardown(() => closeRedis(client));
await waitForRedis(client, 5000);
const ledger = new RedisSpendLedger(client);
t.teardown(() => ledger.close());
// Operator tooling reading the shared ledger, as the admin usage endpoint would.
const acme = mintTenantScope('acme');
const beta = mintTenantScope('beta');

t.test('two gateway processes sharing Redis: exactly 100 of 500 concurrent requests pass a 100/min limit', async (t) => {
  t.not(a.pid, b.pid);
  let seq = 0;
  const results = await Promise.all(Array.from({ length: 500 }, (_, i) => chat((i % 2 === 0 ? a : b).baseURL, key, { max_tokens: 10 }, () => ++seq)));
  t.equal(results.filter((r) => r.status === 200).length, 100, `exactly 100 succeed across both instances (statuses: ${histogram(results)})`);
  const limited = results.filter((r) => r.status === 429);
  t.equal(limited.length, 400);
  t.ok(limited.every((r) => /^\d+$/.test(r.headers.get('retry-after') ?? '') && r.body.includes('rate_limit_exceeded')), '429s carry retry-after');
  t.ok(results.filter((_, i) => i % 2 === 1).some((r) => r.status === 200) && results.filter((_, i) => i % 2 === 0).some((r) => r.status === 200), 'both instances served some');
  const spend = await ledger.read(acme);
  t.equal(spend.openReservations, 0, 'every reservation settled');
  t.equal(spend.spentMicroUsd, 100 * 9 * 20, 'and charged its real usage (9 output tokens × $20/M each)');
});

t.test('two gateway processes: a $1.00 budget holds under 200 concurrent streams, with no false refusals', async (t) => {
  for (let i = 0; i < 200; i++) provider.enqueue({ usage: { input: 12, output: 100 + Math.floor(Math.random() * 901) } });
  let seq = 0;
  const results = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      return chat((i % 2 === 0 ? a : b).baseURL, betaTenant.key, { stream: true, stream_options: { include_usage: true }, max_tokens: 1000, user: `u${i}` }, () => ++seq);
    }),
  );
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 429);
  t.equal(ok.length + refused.length, 200, `all answered or refused (statuses: ${histogram(results)})`);
  t.ok(refused.every((r) => r.body.includes('budget_exceeded') && r.headers.get('x-should-retry') === 'false'));
  const costs = ok.map((r) => (streamedUsage(r.body)?.completion_tokens ?? NaN) * 20);
  const spend = await ledger.read(beta);
  t.equal(spend.spentMicroUsd, costs.reduce((x, y) => x + y, 0), 'ledger = real usage of the answered streams');
  t.ok(spend.spentMicroUsd <= 1_000_000, `month spend $${spend.spentMicroUsd / 1e6} ≤ $1.00`);
  t.equal(spend.openReservations, 0);
  let falseRefusals = 0;
  for (const r of refused) {
    let bound = 0;
    ok.forEach((g, i) => {
      if (g.sentAt < r.doneAt) bound += g.doneAt < r.sentAt ? (costs[i] ?? 0) : 20_000;
    });
    if (bound + 20_000 <= 1_000_000) falseRefusals++;
  }
  t.equal(falseRefusals, 0, `each of ${refused.length} refusals was needed`);
});

t.test('Redis down: 503 dependency_unavailable with no upstream call; service resumes within 5 s of Redis returning', async (t) => {
  await redis.stop();
  const before = provider.requests.length;
  const down = await chat(a.baseURL, betaTenant.key, { max_tokens: 10 }, () => 0);
  t.equal(down.status, 503);
  t.match(down.body, /dependency_unavailable/);
  t.equal(provider.requests.length, before, 'the provider was not called');
  await redis.restart();
  const back = Date.now();
  let status = 0;
  while (Date.now() - back < 5000) {
    status = (await chat(b.baseURL, betaTenant.key, { max_tokens: 10 }, () => 0)).status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(status, 200, `answered again ${Date.now() - back} ms after Redis returned, no gateway restart`);
});
