import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { SignJWT } from 'jose';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';

const JWT_SECRET = 'test-session-secret-that-is-long-enough-1234';

t.test('tenants are isolated by their credential alone', async (t) => {
  const fakeA = await startFakeProvider();
  const fakeB = await startFakeProvider();
  t.teardown(() => fakeA.close());
  t.teardown(() => fakeB.close());
  const aliceA = makeKey('key-a', 'alice');
  const revoked = makeKey('key-revoked', 'alice');
  const expired = makeKey('key-expired', 'alice');
  const bobB = makeKey('key-b', 'bob');
  const gw = await startGateway(t, {
    auth: { jwt: { secret: JWT_SECRET } },
    tenants: [
      {
        id: 'acme',
        providers: { openai: { apiKey: 'sk-acme-provider', baseUrl: fakeA.openaiBaseUrl }, anthropic: { apiKey: 'sk-ant-acme-provider', baseUrl: fakeA.anthropicBaseUrl } },
        tiers: { fast: { provider: 'openai', model: 'gpt-a' }, claude: { provider: 'anthropic', model: 'claude-a' } },
        users: [{ id: 'alice', role: 'member' }],
        apiKeys: [aliceA.entry, { ...revoked.entry, revoked: true }, { ...expired.entry, expiresAt: '2020-01-01T00:00:00Z' }],
      },
      {
        id: 'globex',
        providers: { openai: { apiKey: 'sk-globex-provider', baseUrl: fakeB.openaiBaseUrl } },
        tiers: { fast: { provider: 'openai', model: 'gpt-b' }, secret: { provider: 'openai', model: 'gpt-b-secret' } },
        users: [{ id: 'bob', role: 'member' }],
        apiKeys: [bobB.entry],
      },
    ],
  });
  const clientA = new OpenAI({ baseURL: gw.baseURL, apiKey: aliceA.key, maxRetries: 0 });
  const clientB = new OpenAI({ baseURL: gw.baseURL, apiKey: bobB.key, maxRetries: 0 });

  t.test('the same tier name reaches each tenant its own provider key', async (t) => {
    await clientA.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    await clientB.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    const a = fakeA.requests.at(-1)!;
    const b = fakeB.requests.at(-1)!;
    t.equal(a.headers['authorization'], 'Bearer sk-acme-provider');
    t.equal((a.body as { model: string }).model, 'gpt-a');
    t.equal(b.headers['authorization'], 'Bearer sk-globex-provider');
    t.equal((b.body as { model: string }).model, 'gpt-b');
    for (const r of [...fakeA.requests, ...fakeB.requests]) {
      const seen = JSON.stringify(r.headers);
      t.notOk(seen.includes(aliceA.key) || seen.includes(bobB.key), 'no wj_ key reached a provider');
    }
  });

  t.test("a tier only the other tenant has is 404 model_not_found", async (t) => {
    const err = await clientA.chat.completions.create({ model: 'secret', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.NotFoundError);
    t.equal((err as InstanceType<typeof OpenAI.NotFoundError>).code, 'model_not_found');
  });

  t.test('tenant-override headers change nothing', async (t) => {
    const before = fakeB.requests.length;
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceA.key}`, 'content-type': 'application/json', 'x-tenant-id': 'globex', 'x-org-id': 'globex', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-host': 'globex' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
    });
    t.equal(res.status, 200);
    t.equal(fakeB.requests.length, before, 'globex provider not called');
    t.equal(fakeA.requests.at(-1)!.headers['authorization'], 'Bearer sk-acme-provider');
  });

  t.test('unknown, revoked and expired keys get 401 in the OpenAI shape', async (t) => {
    for (const key of ['wj_' + 'x'.repeat(43), revoked.key, expired.key, 'sk-not-ours']) {
      const res = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
      });
      t.equal(res.status, 401);
      const text = await res.text();
      const body = JSON.parse(text);
      t.equal(body.error.code, 'invalid_api_key');
      t.equal(body.error.type, 'invalid_request_error');
      t.notOk(text.includes(key), 'the raw key is not echoed');
      t.ok(res.headers.get('x-request-id'), 'request id header present');
    }
    const missing = await fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', body: '{}' });
    t.equal(missing.status, 401);
  });

  t.test('401 in the Anthropic shape on /v1/messages, via the SDK', async (t) => {
    const client = new Anthropic({ baseURL: gw.origin, apiKey: revoked.key, maxRetries: 0 });
    const err = await client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, Anthropic.AuthenticationError);
    const e = err as InstanceType<typeof Anthropic.AuthenticationError>;
    t.equal(e.status, 401);
    t.match(JSON.stringify(e.error), /authentication_error/);
    t.ok(e.requestID, 'request-id surfaced to the SDK');
  });

  t.test('session JWTs: tenant from tid, role from the tenant user list', async (t) => {
    const secret = new TextEncoder().encode(JWT_SECRET);
    const good = await new SignJWT({ tid: 'acme', role: 'owner' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('5m').sign(secret);
    const res = await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer ${good}` } });
    t.equal(res.status, 200);
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
    t.same(ids, ['claude', 'fast']);
    const keys = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${good}` } });
    t.equal(keys.status, 403, 'the token claiming owner does not make alice (a member) an owner');
    const stranger = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setExpirationTime('5m').sign(secret);
    t.equal((await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer ${stranger}` } })).status, 401, 'bob is not an acme user');
    const forged = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-another-secret-123456'));
    t.equal((await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
    const stale = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(secret);
    t.equal((await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer ${stale}` } })).status, 401);
  });

  t.test('no key, JWT or provider key in any log line', async (t) => {
    const all = gw.logs.join('\n');
    for (const s of [aliceA.key, bobB.key, revoked.key, expired.key, 'sk-acme-provider', 'sk-globex-provider', JWT_SECRET]) t.notOk(all.includes(s), 'log free of secret');
  });
});
