import t from 'tap';
import { join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { chat, limitsGatewayConfig, streamedUsage } from './gateway-fixtures.js';

async function fake(t: { teardown(fn: () => unknown): void }) {
  const provider = await startFakeProvider();
  t.teardown(() => provider.close());
  return provider;
}

t.test('embedded: exactly 100 of 500 concurrent requests pass a 100/min user limit', async (t) => {
  const provider = await fake(t);
  const { raw, key } = limitsGatewayConfig(provider, { rateLimits: { perUser: { requestsPerMinute: 100 } } });
  const gw = await startGateway(t, raw);
  let seq = 0;
  const results = await Promise.all(Array.from({ length: 500 }, () => chat(gw.baseURL, key, {}, () => ++seq)));
  const ok = results.filter((r) => r.status === 200);
  const limited = results.filter((r) => r.status === 429);
  t.equal(ok.length, 100, 'exactly 100 succeed');
  t.equal(limited.length, 400, '400 get 429');
  t.ok(limited.every((r) => /^\d+$/.test(r.headers.get('retry-after') ?? '')), 'every 429 has retry-after seconds');
  t.ok(limited.every((r) => (JSON.parse(r.body) as { error: { code: string } }).error.code === 'rate_limit_exceeded'));
  t.ok(results.every((r) => r.headers.get('x-ratelimit-limit-requests') === '100'), 'limit headers on every response');
  t.ok(ok.every((r) => /^\d+$/.test(r.headers.get('x-ratelimit-remaining-requests') ?? '') && /s$/.test(r.headers.get('x-ratelimit-reset-requests') ?? '')));
  t.equal(provider.requests.length, 100, 'refused requests never reached the provider');
});

t.test('embedded: a budget holds under 200 concurrent streams with random real usage', async (t) => {
  const provider = await fake(t);
  const { raw, key } = limitsGatewayConfig(provider, { budget: { monthlyUsd: 1 } });
  for (let i = 0; i < 200; i++) provider.enqueue({ usage: { input: 12, output: 100 + Math.floor(Math.random() * 901) } });
  const gw = await startGateway(t, raw);
  let seq = 0;
  const results = await Promise.all(
    Array.from({ length: 200 }, async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      return chat(gw.baseURL, key, { stream: true, stream_options: { include_usage: true }, max_tokens: 1000 }, () => ++seq);
    }),
  );
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status === 429);
  t.equal(ok.length + refused.length, 200, 'every request was answered or refused');
  t.ok(refused.every((r) => r.headers.get('x-should-retry') === 'false' && r.body.includes('budget_exceeded')));
  const costs = ok.map((r) => (streamedUsage(r.body)?.completion_tokens ?? NaN) * 20);
  const spent = costs.reduce((a, b) => a + b, 0);
  const scope = [...gw.gateway.registry.all()][0]!.scope;
  const ledger = await gw.gateway.services.limits.ledger.read(scope);
  t.equal(ledger.spentMicroUsd, spent, 'ledger = the real usage of the answered streams, to the micro-dollar');
  t.ok(ledger.spentMicroUsd <= 1_000_000, `month spend $${ledger.spentMicroUsd / 1e6} ≤ $1.00`);
  t.equal(ledger.openReservations, 0);
  t.ok(ok.length >= 50, `${ok.length} streams fit`);
  let falseRefusals = 0;
  for (const r of refused) {
    let bound = 0;
    for (let i = 0; i < ok.length; i++) {
      const g = ok[i]!;
      if (g.sentAt < r.doneAt) bound += g.doneAt < r.sentAt ? (costs[i] ?? 0) : 20_000;
    }
    if (bound + 20_000 <= 1_000_000) falseRefusals++;
  }
  t.equal(falseRefusals, 0, `each of ${refused.length} refusals was needed (settled + outstanding + own worst case > cap)`);
});

t.test('embedded: the default output cap is sent upstream, and spend survives a gateway restart', async (t) => {
  const provider = await fake(t);
  const dir = join(t.testdir(), 'data');
  const { raw, key } = limitsGatewayConfig(provider, { budget: { monthlyUsd: 0.05, defaultMaxTokens: 1000 } }, { audit: { dir } });
  provider.behaviorForModel('gpt-4o-mini', { usage: { input: 5, output: 1000 } });
  const first = await startGateway(t, raw);
  const r1 = await chat(first.baseURL, key, {}, () => 0);
  t.equal(r1.status, 200);
  t.equal((provider.requests[0]?.body as { max_tokens?: number }).max_tokens, 1000, 'max_tokens = budget.defaultMaxTokens went upstream');
  t.equal((await chat(first.baseURL, key, {}, () => 0)).status, 200);
  await first.close();
  const second = await startGateway(t, raw);
  const scope = [...second.gateway.registry.all()][0]!.scope;
  t.equal((await second.gateway.services.limits.ledger.read(scope)).spentMicroUsd, 40_000, '$0.04 spent before the restart is still there');
  t.equal((await chat(second.baseURL, key, {}, () => 0)).status, 429, 'so a third $0.02 worst case no longer fits under $0.05');
  t.equal((await chat(second.baseURL, key, { max_tokens: 400 }, () => 0)).status, 200, 'a smaller one does');
});
