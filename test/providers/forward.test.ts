import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { startForwardHarness, startFakeSetup, type FakeSetup, type Teardown, type HarnessOptions } from './forward-harness.js';

const CLIENT_KEY = 'wj_clientkey0123456789abcdefghijklmnopqrstuv';

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, 'x-api-key': CLIENT_KEY, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function setup(t: Teardown, extra: Partial<HarnessOptions> = {}): Promise<FakeSetup> {
  return startFakeSetup(t, ['spare', { provider: 'anthropic', model: 'claude-x' }], extra);
}

t.test('chat non-stream: tenant key injected, model replaced, usage and upstream recorded', async (t) => {
  const { fake, url, harness } = await setup(t);
  fake.enqueue({ usage: { input: 40, output: 12, cached: 8 } });
  const res = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(res.status, 200);
  t.equal((res.json['choices'] as { message: { content: string } }[])[0]?.message.content, 'Hello from the fake provider, streaming word by word.');
  t.equal(res.headers.get('x-upstream-request-id'), 'req_fake_1');
  t.equal(res.headers.get('x-workjet-request-id'), 'req_h0');
  const seen = fake.requests[0];
  t.equal(seen?.headers['authorization'], 'Bearer sk-tenant-openai');
  t.notOk(seen?.headers['x-api-key']);
  t.notMatch(JSON.stringify(seen?.headers), /wj_/, 'the client key never reaches the provider');
  t.equal((seen?.body as Record<string, unknown>)['model'], 'gpt-4o-mini');
  const ctx = await harness.done(0);
  t.same(ctx.usage, { inputTokens: 40, outputTokens: 12, cachedInputTokens: 8 });
  t.match(ctx.upstream, { provider: 'openai', model: 'gpt-4o-mini', status: 200, attempts: 1, requestId: 'req_fake_1' });
  t.ok((ctx.upstream?.latencyMs ?? -1) >= 0);
  t.equal((ctx.request.body as Record<string, unknown>)['model'], 'fast', 'the parsed client body is untouched');
});

t.test('anthropic non-stream: x-api-key + anthropic-version, usage incl. cache', async (t) => {
  const { fake, url, harness } = await setup(t);
  fake.enqueue({ usage: { input: 5, output: 3, cached: 100 } });
  const res = await post(`${url}/v1/messages`, { model: 'smart', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-beta': 'prompt-caching-2024-07-31' });
  t.equal(res.status, 200);
  t.equal(res.json['type'], 'message');
  t.equal(res.headers.get('x-upstream-request-id'), 'req_fake_1');
  const seen = fake.requests[0];
  t.equal(seen?.path, '/v1/messages');
  t.equal(seen?.headers['x-api-key'], 'sk-ant-tenant');
  t.equal(seen?.headers['anthropic-version'], '2023-06-01');
  t.equal(seen?.headers['anthropic-beta'], 'prompt-caching-2024-07-31');
  t.notOk(seen?.headers['authorization']);
  t.same((await harness.done(0)).usage, { inputTokens: 105, outputTokens: 3, cachedInputTokens: 100 });
});

t.test('responses and embeddings non-stream pass through unchanged', async (t) => {
  const { fake, url, harness } = await setup(t);
  const r = await post(`${url}/v1/responses`, { model: 'fast', input: 'hi' });
  t.equal(r.json['object'], 'response');
  t.same((await harness.done(0)).usage, { inputTokens: 11, outputTokens: 9 });
  const e = await post(`${url}/v1/embeddings`, { model: 'fast', input: ['a', 'b'], encoding_format: 'base64' });
  const data = e.json['data'] as { embedding: string }[];
  t.equal(data.length, 2);
  t.equal(Buffer.from(data[0]?.embedding ?? '', 'base64').readFloatLE(0), Math.fround(0.01));
  t.equal((fake.requests[1]?.body as Record<string, unknown>)['encoding_format'], 'base64');
  t.same((await harness.done(1)).usage, { inputTokens: 11, outputTokens: 0 });
});

t.test('fallback on 503, 429 and a refused connection, in plan order', async (t) => {
  const port = await closedPort();
  const { fake, backup, url, harness } = await setup(t, { providers: { dead: { type: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k' } }, tiers: { flaky: { provider: 'dead', model: 'x', fallbacks: ['fast'] } } });
  fake.enqueue({ status: 503 });
  const a = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(a.status, 200, '503 falls back to the spare tier');
  t.equal(backup.requests.length, 1);
  t.equal(backup.requests[0]?.headers['authorization'], 'Bearer sk-tenant-backup');
  t.equal((backup.requests[0]?.body as Record<string, unknown>)['model'], 'gpt-backup', 'each attempt serialises its own model');
  t.match((await harness.done(0)).upstream, { provider: 'backup', model: 'gpt-backup', attempts: 2 });

  fake.enqueue({ status: 429, headers: { 'retry-after': '7' } });
  const b = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(b.status, 200, '429 falls back');
  t.equal(backup.requests.length, 2);

  const c = await post(`${url}/v1/chat/completions`, { model: 'flaky', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(c.status, 200, 'a refused connection falls back');
  t.match((await harness.done(2)).upstream, { provider: 'openai', attempts: 2 });
});

t.test('a fallback of another API is tried, translated afresh; all attempts failing answers 502 with retry-after', async (t) => {
  const { fake, backup, url, harness } = await setup(t);
  fake.enqueue({ status: 500 });
  backup.enqueue({ status: 429, headers: { 'retry-after': '3' } });
  fake.enqueue({ status: 529 });
  const res = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(res.status, 502);
  t.match(res.json, { error: { type: 'server_error', code: 'upstream_error' } });
  t.same(fake.requests.map((r) => r.path), ['/v1/chat/completions', '/v1/messages'], 'the anthropic fallback was tried in its own API');
  t.match(fake.requests[1]?.body, { model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  t.equal(backup.requests.length, 1);
  const ctx = await harness.done(0);
  t.equal(ctx.error?.code, 'upstream_error');
});

t.test('provider 401 becomes 502 without fallback; other 4xx pass through in the provider shape', async (t) => {
  const { fake, backup, url } = await setup(t);
  fake.enqueue({ status: 401 });
  const a = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(a.status, 502);
  t.match(a.json, { error: { code: 'upstream_error' } });
  t.notMatch(JSON.stringify(a.json), /sk-tenant/);
  t.equal(a.headers.get('x-should-retry'), 'false', 'SDKs do not retry a refused provider key');
  t.equal(backup.requests.length, 0, 'a credential failure is not a fallback case');

  fake.enqueue({ status: 400, errorBody: { error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null } } });
  const b = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(b.status, 400);
  t.same(b.json, { error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null } });
  t.equal(b.headers.get('x-upstream-request-id'), 'req_fake_2');

  fake.enqueue({ status: 404 });
  const c = await post(`${url}/v1/messages`, { model: 'smart', max_tokens: 5, messages: [] });
  t.equal(c.status, 404);
  t.match(c.json, { type: 'error', error: { type: 'not_found_error' } });
});

t.test('first-byte timeout maps to 504 upstream_timeout (after trying the fallbacks)', async (t) => {
  const { fake, backup, url } = await setup(t, { timeouts: { firstByteTimeoutMs: 200 } });
  // undici checks these timeouts with ~1 s resolution, so the providers are much slower than that.
  fake.enqueue({ delayFirstByteMs: 6000 });
  backup.enqueue({ delayFirstByteMs: 6000 });
  fake.enqueue({ delayFirstByteMs: 6000 });
  const started = Date.now();
  const res = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(res.status, 504);
  t.match(res.json, { error: { code: 'upstream_timeout' } });
  t.ok(Date.now() - started < 5000, 'did not wait for the slow providers');
});

t.test('provider timeoutMs overrides the gateway timeout', async (t) => {
  const fake2 = await startFakeProvider();
  t.teardown(() => fake2.close());
  const h = await startForwardHarness(t, {
    providers: { p: { type: 'openai', baseUrl: fake2.openaiBaseUrl, apiKey: 'k', timeoutMs: 150 } },
    tiers: { t1: { provider: 'p', model: 'm' } },
  });
  fake2.enqueue({ delayFirstByteMs: 6000 });
  const started = Date.now();
  const res = await post(`${h.url}/v1/chat/completions`, { model: 't1', messages: [] });
  t.equal(res.status, 504);
  t.ok(Date.now() - started < 5000);
});

t.test('non-stream body filters and content capture', async (t) => {
  const { url, harness } = await setup(t, {
    forward: {
      captureContent: true,
      responseFilter: { streamTransform: () => undefined, filterBody: (_ctx, body) => body.replaceAll('fake provider', '[REDACTED:test]') },
    },
  });
  const res = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  const content = (res.json['choices'] as { message: { content: string } }[])[0]?.message.content;
  t.equal(content, 'Hello from the [REDACTED:test], streaming word by word.');
  const ctx = await harness.done(0);
  t.equal(ctx.capturedContent?.completion, content, 'captured text is the filtered text');
});
