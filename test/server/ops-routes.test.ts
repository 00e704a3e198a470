import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway } from '../helpers/gateway.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { ACME_ANTHROPIC_KEY, ACME_OPENAI_KEY, GLOBEX_OPENAI_KEY, twoTenants } from './fixtures/tenants.js';

/** The value of one sample line `name{labels} value`, matched on every given label. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const close = line.lastIndexOf('}');
    const body = line.slice(name.length + 1, close);
    const got = Object.fromEntries(
      body
        .split('",')
        .filter((p) => p.length > 0)
        .map((p) => {
          const eq = p.indexOf('=');
          return [p.slice(0, eq), p.slice(eq + 2).replace(/"$/, '')];
        }),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(close + 2));
  }
  return undefined;
}

t.test('ops endpoints', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, config);

  t.test('GET /healthz is 200 without credentials', async (t) => {
    const res = await fetch(`${gw.origin}/healthz`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /application\/json/);
    t.same(await res.json(), { status: 'ok' });
  });

  t.test('GET /readyz is 200 with the policy, limits and store checks', async (t) => {
    const res = await fetch(`${gw.origin}/readyz`);
    t.equal(res.status, 200);
    const body = (await res.json()) as { status: string; checks: Record<string, boolean> };
    t.equal(body.status, 'ready');
    t.same(body.checks, { policy: true, limits: true, store: true });
  });

  t.test('GET /metrics: Prometheus text counting requests by route and status, no secrets', async (t) => {
    const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.acmeMember, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    await openai.embeddings.create({ model: 'embed', input: 'x' });
    const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: keys.acmeMember, maxRetries: 0 });
    await anthropic.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    const globex = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.globexMember, maxRetries: 0 });
    await globex.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    const wrongKey = 'wj_ThisIsNotAValidKeyButLooksLikeOne1234567890';
    const bad = new OpenAI({ baseURL: gw.baseURL, apiKey: wrongKey, maxRetries: 0 });
    await t.rejects(bad.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }));
    await t.rejects(openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }));

    const res = await fetch(`${gw.origin}/metrics`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    t.match(text, /# TYPE workjet_requests_total counter/);
    t.equal(sample(text, 'workjet_requests_total', { route: 'chat', tenant: 'acme', status: '200' }), 2);
    t.equal(sample(text, 'workjet_requests_total', { route: 'embeddings', tenant: 'acme', status: '200' }), 1);
    t.equal(sample(text, 'workjet_requests_total', { route: 'messages', tenant: 'acme', status: '200' }), 1);
    t.equal(sample(text, 'workjet_requests_total', { route: 'chat', tenant: 'globex', status: '200' }), 1);
    t.equal(sample(text, 'workjet_requests_total', { route: 'chat', status: '401', code: 'invalid_api_key' }), 1);
    t.equal(sample(text, 'workjet_requests_total', { route: 'chat', tenant: 'acme', status: '404', code: 'model_not_found' }), 1);
    t.match(text, /workjet_request_duration_seconds_bucket\{[^}]*route="chat"/);
    // Per-stage time: every chat request ran identify, settle and audit; only the three that
    // passed every check reached forward (the bad key stopped at identify, `nope` before route).
    const stageCount = (route: string, stage: string): number | undefined => sample(text, 'workjet_stage_duration_seconds_count', { route, stage });
    t.same(
      ['identify', 'parse', 'authorize', 'route', 'forward', 'settle', 'audit'].map((stage) => [stage, stageCount('chat', stage)]),
      [['identify', 5], ['parse', 4], ['authorize', 3], ['route', 3], ['forward', 3], ['settle', 5], ['audit', 5]],
    );
    t.equal(stageCount('messages', 'forward'), 1);
    t.ok((sample(text, 'workjet_stage_duration_seconds_sum', { route: 'chat', stage: 'forward' }) ?? 0) > 0, 'forward took measurable time');
    for (const secret of [keys.acmeMember, keys.globexMember, keys.acmeAdmin, wrongKey, ACME_OPENAI_KEY, ACME_ANTHROPIC_KEY, GLOBEX_OPENAI_KEY]) {
      t.notOk(text.includes(secret), 'no key in /metrics');
    }
    t.notOk(text.includes('wj_'), 'no wj_ prefix at all');
    t.notOk(text.includes('sk-'), 'no provider key prefix at all');
  });

  t.test('ops routes need no credentials and ignore a bad one', async (t) => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${gw.origin}${path}`, { headers: { authorization: 'Bearer wj_bogus' } });
      t.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
  });
});

t.test('/readyz follows Redis when it is configured', async (t) => {
  const redis = await startRedisServer(t);
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, { ...config, redis: { url: redis.url, failMode: 'closed', commandTimeoutMs: 300 } });
  const ready = async (): Promise<{ status: number; body: { status: string; checks: Record<string, boolean> } }> => {
    const res = await fetch(`${gw.origin}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, boolean> } };
  };
  const until = async (want: number): Promise<{ status: number; body: { status: string; checks: Record<string, boolean> } }> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await ready();
      if (r.status === want || Date.now() > deadline) return r;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const up = await until(200);
  t.equal(up.status, 200);
  t.same(up.body.checks, { policy: true, limits: true, store: true });
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.acmeMember, maxRetries: 0 });
  await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });

  await redis.stop();
  const down = await until(503);
  t.equal(down.status, 503, 'not ready while Redis is down');
  t.equal(down.body.status, 'not_ready');
  t.same(down.body.checks, { policy: true, limits: false, store: true });
  const health = await fetch(`${gw.origin}/healthz`);
  t.equal(health.status, 200, 'healthz stays 200: the process is alive');

  await redis.restart();
  const back = await until(200);
  t.equal(back.status, 200, 'ready again once Redis is back');
});
