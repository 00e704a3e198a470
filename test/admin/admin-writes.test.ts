// The admin API's writes on the embedded (SQLite) store, through the real gateway: keys, users
// and their Rego rules, routing, DLP, limits, budget; the check order 401 → 403 → 404 → 400 →
// 409; YAML-declared entities read-only (409 managed_by_config); every write audited with
// before → after and no secret.
import t from 'tap';
import OpenAI from 'openai';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from '../server/fixtures/tenants.js';
import { waitForAuditFile } from '../server/fixtures/audit-files.js';
import { adminCall, TEST_MASTER_KEY } from './admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());
process.env['WORKJET_MASTER_KEY'] = TEST_MASTER_KEY;
const { config, keys } = twoTenants(fake);
const gw = await startGateway(t, config);
const call = (method: string, path: string, key: string | undefined, body?: unknown) => adminCall(gw.origin, method, path, key, body);
const chat = (key: string, model = 'fast') => new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

t.test('keys: create returns wj_… once, the key works, list never shows it, revoke → 401', async (t) => {
  const created = await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', name: 'ci' });
  t.equal(created.status, 201);
  t.match(created.body, { id: String, user: 'alice', name: 'ci', createdAt: String, expiresAt: null });
  const key = created.body.key as string;
  t.match(key, /^wj_[A-Za-z0-9]{43,}$/);
  const answer = await chat(key);
  t.ok(answer.choices[0]?.message.content, 'the new key calls a model');
  const list = await call('GET', '/admin/v1/keys', keys.acmeAdmin);
  t.equal(list.status, 200);
  t.notOk(list.text.includes(key), 'the list never shows the key');
  t.notOk(/[0-9a-f]{64}/.test(list.text), 'nor a hash');
  t.match(list.body.data.find((k: { id: string }) => k.id === created.body.id), { user: 'alice', revoked: false, source: 'api' });
  t.match(list.body.data.find((k: { id: string }) => k.id === 'key-alice'), { source: 'config' });
  const revoked = await call('DELETE', `/admin/v1/keys/${created.body.id}`, keys.acmeAdmin);
  t.equal(revoked.status, 204);
  t.equal(revoked.text, '');
  await t.rejects(chat(key), { status: 401, code: 'invalid_api_key' }, 'the revoked key is refused at once on this instance');
  const again = await call('GET', '/admin/v1/keys', keys.acmeAdmin);
  t.match(again.body.data.find((k: { id: string }) => k.id === created.body.id), { revoked: true });
});

t.test('keys: bad bodies are 400 naming the field; config keys are 409 managed_by_config', async (t) => {
  t.match(await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'nobody' }), { status: 400, body: { error: { code: 'invalid_request', param: 'user' } } });
  t.match(await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', expires_at: '2030-01-01T00:00:00Z' }), { status: 400, body: { error: { param: 'expires_at' } } });
  t.match(await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', expiresAt: 'tomorrow' }), { status: 400, body: { error: { param: 'expiresAt' } } });
  t.match(await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', expiresAt: '2001-01-01T00:00:00Z' }), { status: 400, body: { error: { param: 'expiresAt' } } });
  t.match(await call('POST', '/admin/v1/keys', keys.acmeAdmin, '{"user":'), { status: 400, body: { error: { code: 'invalid_request' } } });
  t.match(await call('DELETE', '/admin/v1/keys/key-alice', keys.acmeAdmin), { status: 409, body: { error: { code: 'managed_by_config' } } });
  t.match(await call('DELETE', '/admin/v1/keys/key-gus', keys.acmeAdmin), { status: 404, body: { error: { code: 'not_found' } } }, "globex's key is 404 to acme");
});

t.test('a key with an expiry stops working when it expires', async (t) => {
  const created = await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', expiresAt: new Date(Date.now() + 1500).toISOString() });
  t.equal(created.status, 201);
  await chat(created.body.key);
  await new Promise((r) => setTimeout(r, 1700));
  await t.rejects(chat(created.body.key), { status: 401, code: 'invalid_api_key' });
});

t.test('check order: 401 → 403 → 404 → 400', async (t) => {
  t.match(await call('PATCH', '/admin/v1/users/nobody', 'wj_notakey', { role: 42 }), { status: 401, body: { error: { code: 'invalid_api_key' } } });
  t.match(await call('PATCH', '/admin/v1/users/nobody', keys.acmeMember, { role: 42 }), { status: 403, body: { error: { code: 'policy_denied' } } });
  t.match(await call('PATCH', '/admin/v1/users/nobody', keys.acmeAdmin, { role: 42 }), { status: 404, body: { error: { code: 'not_found' } } });
  t.match(await call('PATCH', '/admin/v1/users/alice', keys.acmeAdmin, { role: 42 }), { status: 400, body: { error: { code: 'invalid_request', param: 'role' } } });
});

t.test('users: add, change role, remove (with their keys); the Rego rules through the gateway', async (t) => {
  t.match(await call('POST', '/admin/v1/users', keys.acmeAdmin, { id: 'bob', role: 'member' }), { status: 201, body: { id: 'bob', role: 'member', source: 'api' } });
  t.match(await call('POST', '/admin/v1/users', keys.acmeAdmin, { id: 'bob', role: 'member' }), { status: 409, body: { error: { code: 'conflict' } } });
  t.match(await call('POST', '/admin/v1/users', keys.acmeAdmin, { id: 'eve', role: 'owner' }), { status: 403, body: { error: { code: 'policy_denied', message: /only an owner may grant/ } } }, 'an admin cannot create an owner');
  t.match(await call('PATCH', '/admin/v1/users/bob', keys.acmeAdmin, { role: 'owner' }), { status: 403, body: { error: { message: /only an owner may grant/ } } }, 'nor promote to owner');
  t.match(await call('PATCH', '/admin/v1/users/bob', keys.acmeAdmin, { role: 'admin' }), { status: 200, body: { id: 'bob', role: 'admin' } });
  t.match(await call('PATCH', '/admin/v1/users/dave', keys.acmeAdmin, { role: 'member' }), { status: 403, body: { error: { message: /own role/ } } }, 'dave cannot change his own role');
  t.match(await call('PATCH', '/admin/v1/users/carol', keys.acmeOwner, { role: 'admin' }), { status: 403, body: { error: { message: /own role|last owner/ } } });
  t.match(await call('POST', '/admin/v1/users', keys.acmeOwner, { id: 'olga', role: 'owner' }), { status: 201, body: { role: 'owner' } }, 'an owner may create an owner');
  const olgaKey = (await call('POST', '/admin/v1/keys', keys.acmeOwner, { user: 'olga' })).body.key as string;
  t.match(await call('DELETE', '/admin/v1/users/olga', keys.acmeAdmin), { status: 403 }, 'an admin cannot remove an owner');
  t.match(await call('PATCH', '/admin/v1/users/olga', olgaKey, { role: 'member' }), { status: 403, body: { error: { message: /own role/ } } });
  t.match(await call('DELETE', '/admin/v1/users/olga', keys.acmeOwner), { status: 204 }, 'two owners: one may go');
  await t.rejects(chat(olgaKey), { status: 401, code: 'invalid_api_key' }, "the removed user's key is revoked with it");
  const bobKey = (await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'bob' })).body.key as string;
  t.match(await call('DELETE', '/admin/v1/users/bob', keys.acmeAdmin), { status: 204 });
  await t.rejects(chat(bobKey), { status: 401, code: 'invalid_api_key' });
  t.match(await call('DELETE', '/admin/v1/users/alice', keys.acmeAdmin), { status: 409, body: { error: { code: 'managed_by_config' } } }, 'YAML users are read-only');
  t.match(await call('DELETE', '/admin/v1/users/gus', keys.acmeAdmin), { status: 404 });
});

t.test('routing: providers with a write-only key, tiers, 409 in_use, SSRF refused', async (t) => {
  const put = await call('PUT', '/admin/v1/routing/providers/mine', keys.acmeOwner, { type: 'openai', baseUrl: fake.openaiBaseUrl, apiKey: 'sk-mine-provider-key-123' });
  t.equal(put.status, 400, 'a loopback base URL is refused over the API (not on the allowlist)');
  t.match(put.body, { error: { code: 'invalid_request', param: 'baseUrl' } });
  for (const baseUrl of ['http://127.1/v1', 'http://0177.0.0.1/v1', 'http://2130706433/v1', 'http://[::ffff:127.0.0.1]/v1', 'http://169.254.169.254/latest', 'http://10.0.0.8/v1', 'http://100.64.1.1/v1', 'http://localhost/v1', 'file:///etc/passwd', 'http://user:pw@api.example.com/v1']) {
    t.match(await call('PUT', '/admin/v1/routing/providers/mine', keys.acmeOwner, { type: 'openai', baseUrl }), { status: 400, body: { error: { param: 'baseUrl' } } }, baseUrl);
  }
  t.match(await call('PUT', '/admin/v1/routing/providers/mine', keys.acmeAdmin, { type: 'openai' }), { status: 403 }, 'provider keys are owner-only');
  const ok = await call('PUT', '/admin/v1/routing/providers/mine', keys.acmeOwner, { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey: 'sk-mine-provider-key-123' });
  t.match(ok, { status: 200, body: { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKeySet: true, source: 'api' } });
  t.notOk(ok.text.includes('sk-mine'), 'the key is never echoed');
  t.match(await call('PUT', '/admin/v1/routing/tiers/mytier', keys.acmeAdmin, { provider: 'mine', model: 'm-1', tags: ['x'] }), { status: 200, body: { provider: 'mine', model: 'm-1', tags: ['x'], fallbacks: [], source: 'api' } });
  t.match(await call('PUT', '/admin/v1/routing/tiers/bad', keys.acmeAdmin, { provider: 'nope', model: 'm' }), { status: 400, body: { error: { param: 'provider' } } });
  t.match(await call('DELETE', '/admin/v1/routing/providers/mine', keys.acmeOwner), { status: 409, body: { error: { code: 'in_use' } } });
  const routing = await call('GET', '/admin/v1/routing', keys.acmeAdmin);
  t.match(routing.body, { providers: { mine: { apiKeySet: true, source: 'api' }, openai: { source: 'config', apiKeySet: true } }, tiers: { mytier: { source: 'api' }, fast: { source: 'config' } } });
  t.notOk(routing.text.includes('sk-'), 'no provider key in the routing view');
  t.match(await call('PUT', '/admin/v1/routing/tiers/fast', keys.acmeAdmin, { provider: 'mine', model: 'x' }), { status: 409, body: { error: { code: 'managed_by_config' } } });
  t.match(await call('DELETE', '/admin/v1/routing/tiers/mytier', keys.acmeAdmin), { status: 204 });
  t.match(await call('DELETE', '/admin/v1/routing/providers/mine', keys.acmeOwner), { status: 204 });
  t.match(await call('DELETE', '/admin/v1/routing/tiers/mytier', keys.acmeAdmin), { status: 404 });
});

t.test('an API tier routes at once: a tier added over the API answers model calls', async (t) => {
  t.match(await call('PUT', '/admin/v1/routing/tiers/extra', keys.acmeAdmin, { provider: 'openai', model: 'gpt-acme' }), { status: 200 });
  const answer = await chat(keys.acmeMember, 'extra');
  t.ok(answer.choices[0]?.message.content);
  t.match(await call('DELETE', '/admin/v1/routing/tiers/extra', keys.acmeAdmin), { status: 204 });
  await t.rejects(chat(keys.acmeMember, 'extra'), { status: 404, code: 'model_not_found' });
});

t.test('DLP: a pattern RE2 rejects is 400 with its reason; a good one blocks', async (t) => {
  const bad = await call('PUT', '/admin/v1/dlp', keys.acmeAdmin, { detectors: {}, customPatterns: [{ name: 'look', pattern: '(?<=x)y', action: 'block' }] });
  t.match(bad, { status: 400, body: { error: { code: 'invalid_request', param: 'customPatterns[0].pattern', message: /invalid RE2 pattern: .*(perl|look)/i } } });
  const huge = await call('PUT', '/admin/v1/dlp', keys.acmeAdmin, { detectors: {}, customPatterns: [{ name: 'huge', pattern: '\\pL{1000}', action: 'block' }] });
  t.match(huge, { status: 400, body: { error: { param: 'customPatterns[0].pattern', message: /too large/ } } }, 'size-checked by RE2');
  t.match(await call('PUT', '/admin/v1/dlp', keys.acmeAdmin, { detectors: { nosuch: 'block' }, customPatterns: [] }), { status: 400, body: { error: { param: 'detectors.nosuch' } } });
  t.match(await call('PUT', '/admin/v1/dlp', keys.acmeAdmin, { detectors: { email: 'shout' }, customPatterns: [] }), { status: 400, body: { error: { param: 'detectors.email' } } });
  const good = await call('PUT', '/admin/v1/dlp', keys.acmeAdmin, { detectors: { email: 'redact' }, customPatterns: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }] });
  t.match(good, { status: 200, body: { detectors: { email: 'redact' }, customPatterns: [{ name: 'project_code' }], source: 'api' } });
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.acmeMember, maxRetries: 0 });
  await t.rejects(openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'see PRJ-123456' }] }), { status: 400, code: 'dlp_blocked' });
  t.match(await call('GET', '/admin/v1/dlp', keys.acmeAdmin), { status: 200, body: { customPatterns: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }] } });
  t.match(await call('PUT', '/admin/v1/dlp', keys.acmeAdmin, { detectors: {}, customPatterns: [] }), { status: 200 });
});

t.test('limits and budget', async (t) => {
  t.match(await call('PUT', '/admin/v1/limits', keys.globexAdmin, { perUser: { requestsPerMinute: 1 } }), { status: 200, body: { perUser: { requestsPerMinute: 1 }, source: 'api' } });
  await chat(keys.globexMember);
  await t.rejects(chat(keys.globexMember), { status: 429, code: 'rate_limit_exceeded' }, 'the new limit applies at once');
  t.match(await call('PUT', '/admin/v1/limits', keys.globexAdmin, { perUser: { requestsPerMinute: 0 } }), { status: 400, body: { error: { param: 'perUser.requestsPerMinute' } } });
  t.match(await call('GET', '/admin/v1/budget', keys.acmeOwner), { status: 200, body: { monthlyUsd: 25, source: 'config', spentUsd: Number, month: /^\d{4}-\d{2}$/ } });
  t.match(await call('PUT', '/admin/v1/budget', keys.acmeOwner, { monthlyUsd: 30 }), { status: 409, body: { error: { code: 'managed_by_config' } } });
  t.match(await call('PUT', '/admin/v1/budget', keys.globexAdmin, { monthlyUsd: 30 }), { status: 403 }, 'budget is owner-only');
  t.match(await call('PUT', '/admin/v1/budget', keys.acmeOwner, { monthlyUsd: -1 }), { status: 400, body: { error: { param: 'monthlyUsd' } } });
});

t.test('every write is audited: actor, action, target, before → after, never a secret', async (t) => {
  const put = await call('PUT', '/admin/v1/routing/providers/audited', keys.acmeOwner, { type: 'anthropic', baseUrl: 'https://api.example.org', apiKey: 'sk-audit-canary-998877' });
  t.equal(put.status, 200);
  const requestId = put.headers.get('x-workjet-request-id');
  const record = (await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === requestId)).record as unknown as Record<string, unknown>;
  t.match(record, { action: 'provider_keys.write', principal: { user: 'carol' }, status: 200, details: { target: 'audited', before: 'null' } });
  const after = JSON.parse((record?.['details'] as Record<string, string>)['after'] ?? 'null') as Record<string, unknown>;
  t.match(after, { type: 'anthropic', apiKeySet: true });
  t.notOk(JSON.stringify(record).includes('sk-audit-canary'), 'no provider key in the record');
  t.notOk(gw.logs.some((l) => l.includes('sk-audit-canary')), 'nor in the logs');
});
