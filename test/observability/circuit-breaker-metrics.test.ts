import t from 'tap';
import { createServer } from 'node:net';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';

/**
 * `workjet_circuit_breaker_state` and `workjet_circuit_breaker_short_circuits_total`: a dead
 * upstream is driven until its circuit opens, then /metrics shows it open (2) with the skipped
 * calls counted, labelled by provider type and origin only — never the base URL's path, a
 * provider key or a tenant — while a healthy endpoint reads closed (0); once the open period
 * ends the gauge reads half-open (1).
 */

const KEY_CANARY = 'sk-proj-CANARYbreakerMetrics00000000000000';

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function metricLine(text: string, name: string, origin: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`origin="${origin}"`));
}

t.test('a dead upstream opens its circuit and /metrics shows the state and the short-circuited calls', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const port = await deadPort();
  const member = makeKey('key-breaker', 'alice');
  const gw = await startGateway(t, {
    upstream: { circuitBreaker: { failureThreshold: 2, openMs: 1500 } },
    tenants: [{
      id: 'acme',
      providers: {
        dead: { type: 'openai', apiKey: KEY_CANARY, baseUrl: `http://127.0.0.1:${port}/v1` },
        live: { type: 'openai', apiKey: KEY_CANARY, baseUrl: fake.openaiBaseUrl },
      },
      tiers: { dead: { provider: 'dead', model: 'gpt-d' }, live: { provider: 'live', model: 'gpt-l' } },
      users: [{ id: 'alice', role: 'member' }],
      apiKeys: [member.entry],
    }],
  });
  const call = async (model: string): Promise<number> => {
    const res = await fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${member.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });
    await res.arrayBuffer();
    return res.status;
  };
  const scrape = async (): Promise<string> => (await fetch(`${gw.origin}/metrics`)).text();
  const dead = `http://127.0.0.1:${port}`;
  const live = new URL(fake.openaiBaseUrl).origin;

  t.equal(await call('live'), 200);
  t.equal(await call('dead'), 502, 'connection refused');
  let text = await scrape();
  t.match(metricLine(text, 'workjet_circuit_breaker_state', dead), / 0$/, 'one failure under the threshold: still closed');
  t.equal(await call('dead'), 502);
  text = await scrape();
  t.match(metricLine(text, 'workjet_circuit_breaker_state', dead), / 2$/, 'open after failureThreshold consecutive failures');
  t.notOk(metricLine(text, 'workjet_circuit_breaker_short_circuits_total', dead), 'nothing skipped yet');

  for (let i = 0; i < 3; i++) t.equal(await call('dead'), 502, 'skipped while open');
  text = await scrape();
  t.equal(metricLine(text, 'workjet_circuit_breaker_short_circuits_total', dead), `workjet_circuit_breaker_short_circuits_total{provider="openai",origin="${dead}"} 3`);
  t.equal(metricLine(text, 'workjet_circuit_breaker_state', live), `workjet_circuit_breaker_state{provider="openai",origin="${live}"} 0`, 'the healthy endpoint reads closed');
  const breakerLines = text.split('\n').filter((l) => l.startsWith('workjet_circuit_breaker'));
  t.notOk(breakerLines.some((l) => l.includes('/v1') || l.includes('acme') || l.includes('CANARY')), 'labels carry no path, tenant or key');
  t.notOk(text.includes(KEY_CANARY), 'no provider key anywhere in /metrics');

  await new Promise((r) => setTimeout(r, 1600));
  t.match(metricLine(await scrape(), 'workjet_circuit_breaker_state', dead), / 1$/, 'half-open once the open period is over');
});
