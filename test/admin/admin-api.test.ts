import t from 'tap';
import OpenAI from 'openai';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { ACME_ANTHROPIC_KEY, ACME_OPENAI_KEY, GLOBEX_OPENAI_KEY, twoTenants } from '../server/fixtures/tenants.js';
import { expectedAuditKey, readAuditFiles, waitForAuditFile } from '../server/fixtures/audit-files.js';

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

t.test('admin API: policy-authorized, tenant-scoped, audited', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, config);
  const call = async (path: string, key: string | undefined, init: RequestInit = {}) => {
    const res = await fetch(`${gw.origin}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string> | undefined) } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Record<string, unknown> };
  };

  t.test('a member gets 403 policy_denied with the policy reason on admin-only actions', async (t) => {
    for (const [path, action] of [
      ['/admin/v1/keys', 'keys.read'],
      ['/admin/v1/users', 'users.read'],
      ['/admin/v1/routing', 'routing.read'],
      ['/admin/v1/audit', 'audit.read'],
      ['/admin/v1/usage', 'usage.read'],
      ['/admin/v1/budget', 'budget.read'],
    ] as const) {
      const r = await call(path, keys.acmeMember);
      t.equal(r.status, 403, path);
      const err = (r.body as unknown as ErrorBody).error;
      t.equal(err.code, 'policy_denied', path);
      t.equal(err.type, 'permission_error', path);
      t.match(err.message, `role member does not grant ${action}`, `${path}: the policy's reason`);
      t.ok(r.headers.get('x-workjet-decision-id'), `${path}: decision id header`);
      t.equal(r.headers.get('x-should-retry'), 'false');
    }
  });

  t.test('an admin gets keys, users, routing, dlp, limits, usage and audit', async (t) => {
    for (const path of ['/admin/v1/keys', '/admin/v1/users', '/admin/v1/routing', '/admin/v1/dlp', '/admin/v1/limits', '/admin/v1/usage', '/admin/v1/audit']) {
      const r = await call(path, keys.acmeAdmin);
      t.equal(r.status, 200, path);
      t.match(r.headers.get('content-type'), /application\/json/);
    }
  });

  t.test('budget is owner-only: an admin is denied, an owner gets it', async (t) => {
    const admin = await call('/admin/v1/budget', keys.acmeAdmin);
    t.equal(admin.status, 403);
    t.match((admin.body as unknown as ErrorBody).error.message, 'role admin does not grant budget.read');
    const owner = await call('/admin/v1/budget', keys.acmeOwner);
    t.equal(owner.status, 200);
    t.match(owner.body, { monthlyUsd: 25, source: 'config' });
    t.type(owner.body['spentUsd'], 'number');
  });

  t.test('an owner inherits every admin action', async (t) => {
    for (const path of ['/admin/v1/keys', '/admin/v1/users', '/admin/v1/usage', '/admin/v1/audit']) {
      t.equal((await call(path, keys.acmeOwner)).status, 200, path);
    }
  });

  t.test("answers hold only the caller's tenant", async (t) => {
    const acmeKeys = await call('/admin/v1/keys', keys.acmeAdmin);
    const ids = (acmeKeys.body['data'] as { id: string }[]).map((k) => k.id).sort();
    t.same(ids, ['key-alice', 'key-carol', 'key-dave']);
    t.notOk(acmeKeys.text.includes('gina') || acmeKeys.text.includes('key-gus'), 'no globex key or user');
    t.notOk(acmeKeys.text.includes(keys.acmeMember), 'no plaintext key');
    const acmeUsers = await call('/admin/v1/users', keys.acmeAdmin);
    t.same((acmeUsers.body['data'] as { id: string }[]).map((u) => u.id).sort(), ['alice', 'carol', 'dave']);
    const globexUsers = await call('/admin/v1/users', keys.globexAdmin);
    t.same((globexUsers.body['data'] as { id: string }[]).map((u) => u.id).sort(), ['gina', 'gus']);
    const globexKeys = await call('/admin/v1/keys', keys.globexAdmin);
    t.same((globexKeys.body['data'] as { id: string }[]).map((k) => k.id).sort(), ['key-gina', 'key-gus']);
    const routing = await call('/admin/v1/routing', keys.globexAdmin);
    t.same(Object.keys(routing.body['tiers'] as object), ['fast']);
    t.notOk(routing.text.includes('gpt-acme') || routing.text.includes('claude'), "no acme tier in globex's routing");
  });

  t.test('usage is per tenant and per user', async (t) => {
    const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.acmeMember, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    const acme = await call('/admin/v1/usage', keys.acmeAdmin);
    t.equal(acme.status, 200);
    t.equal(acme.body['tenant'], 'acme');
    t.ok((acme.body['by_user'] as Record<string, number>)['alice']! > 0, 'alice spent something');
    const globex = await call('/admin/v1/usage', keys.globexAdmin);
    t.same(globex.body['by_user'], {}, 'globex spent nothing');
    t.equal(globex.body['spent_usd'], 0);
    t.same(globex.body['by_tier'], {}, 'globex spent nothing on any tier');
    const badMonth = await call('/admin/v1/usage?month=2026-13', keys.acmeAdmin);
    t.equal(badMonth.status, 400);
    t.match(badMonth.body, { error: { code: 'invalid_request', param: 'month' } });
  });

  t.test('usage is per tier: the tier each request asked for', async (t) => {
    const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.acmeMember, maxRetries: 0 });
    const before = (await call('/admin/v1/usage', keys.acmeAdmin)).body['by_tier'] as Record<string, number>;
    await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    await openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    const acme = await call('/admin/v1/usage', keys.acmeAdmin);
    t.equal(acme.status, 200);
    const byTier = acme.body['by_tier'] as Record<string, number>;
    t.ok(byTier['fast']! > (before['fast'] ?? 0), 'the fast tier spent more');
    t.ok(byTier['claude']! > (before['claude'] ?? 0), 'the claude tier spent more');
    t.notOk('gpt-acme' in byTier || 'claude-acme' in byTier, 'keyed by the tier asked for, not the provider model');
    const sum = Object.values(byTier).reduce((a, b) => a + b, 0);
    t.ok(Math.abs(sum - (acme.body['spent_usd'] as number)) < 1e-6, 'the tiers add up to the month spend');
    t.same((await call('/admin/v1/usage', keys.globexAdmin)).body['by_tier'], {}, 'within the tenant');
  });

  t.test('GET /admin/v1/routing never returns a provider key', async (t) => {
    for (const key of [keys.acmeAdmin, keys.acmeOwner, keys.globexAdmin]) {
      const r = await call('/admin/v1/routing', key);
      t.equal(r.status, 200);
      for (const secret of [ACME_OPENAI_KEY, ACME_ANTHROPIC_KEY, GLOBEX_OPENAI_KEY]) t.notOk(r.text.includes(secret), 'provider key absent');
      t.notOk(r.text.includes('sk-'), 'no key prefix at all');
      t.notOk(r.text.includes('apiKey"'), 'no apiKey field');
    }
    const acme = await call('/admin/v1/routing', keys.acmeAdmin);
    t.match(acme.body, { providers: { openai: { type: 'openai', apiKeySet: true, baseUrl: fake.openaiBaseUrl }, anthropic: { apiKeySet: true } } });
    t.match(acme.body['tiers'], { fast: { provider: 'openai', model: 'gpt-acme' } });
  });

  t.test("another tenant's audit record is 404, the owner tenant reads it", async (t) => {
    const globex = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.globexMember, maxRetries: 0 });
    const { response } = await globex.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const requestId = response.headers.get('x-workjet-request-id');
    const file = await waitForAuditFile(gw.auditDir, 'globex', (r) => r.requestId === requestId);
    const logId = file.record.id;
    const own = await call(`/admin/v1/audit/${logId}`, keys.globexAdmin);
    t.equal(own.status, 200, 'globex reads its own record');
    t.equal(own.body['id'], logId);
    t.equal(own.body['tenant'], 'globex');
    const foreign = await call(`/admin/v1/audit/${logId}`, keys.acmeAdmin);
    t.equal(foreign.status, 404, "acme asking for globex's record");
    t.equal((foreign.body as unknown as ErrorBody).error.code, 'not_found');
    t.notOk(foreign.text.includes('globex'), 'the answer discloses nothing about it');
    const ownerToo = await call(`/admin/v1/audit/${logId}`, keys.acmeOwner);
    t.equal(ownerToo.status, 404, 'not even an owner of another tenant');
    const list = await call(`/admin/v1/audit?date=${file.record.time.slice(0, 10)}&limit=200`, keys.acmeAdmin);
    t.equal(list.status, 200);
    t.notOk((list.body['data'] as { id: string }[]).some((r) => r.id === logId), "globex's record not in acme's list");
    t.ok((list.body['data'] as { tenant: string }[]).every((r) => r.tenant === 'acme'), "acme's list holds only acme records");
    // Regression: a malformed percent-escape crashed the router's path decoding (500 internal_error).
    for (const weird of ['..%2F..%2Fglobex', 'not-a-log-id', encodeURIComponent(`../globex/${logId}`), '%E0%A4%A', '%']) {
      const r = await call(`/admin/v1/audit/${weird}`, keys.acmeAdmin);
      t.equal(r.status, 404, `malformed id ${weird}`);
    }
  });

  t.test('every admin call leaves a record in the caller partition', async (t) => {
    const checks: [string, string, string, number][] = [
      ['/admin/v1/keys', keys.acmeAdmin, 'keys.read', 200],
      ['/admin/v1/keys', keys.acmeMember, 'keys.read', 403],
      ['/admin/v1/budget', keys.acmeOwner, 'budget.read', 200],
      ['/admin/v1/users', keys.globexAdmin, 'users.read', 200],
      ['/admin/v1/routing', keys.globexMember, 'routing.read', 403],
    ];
    for (const [path, key, action, status] of checks) {
      const r = await call(path, key);
      t.equal(r.status, status, path);
      const requestId = r.headers.get('x-workjet-request-id');
      const tenant = key === keys.globexAdmin || key === keys.globexMember ? 'globex' : 'acme';
      const file = await waitForAuditFile(gw.auditDir, tenant, (rec) => rec.requestId === requestId);
      t.equal(file.key, expectedAuditKey(file.record), 'audit/<tenant>/yyyy/mm/dd/<logId>.json');
      t.match(file.record, { tenant, action, status, route: path }, `${action} by ${tenant}`);
      t.ok(file.record.principal, 'the caller is recorded');
      if (status === 403) t.equal(file.record.errorCode, 'policy_denied');
      const other = tenant === 'acme' ? 'globex' : 'acme';
      t.notOk((await readAuditFiles(gw.auditDir, other)).some((f) => f.record.requestId === requestId), 'nothing in the other partition');
    }
  });

  t.test('a denied admin call records the decision the client was told about', async (t) => {
    const r = await call('/admin/v1/audit', keys.acmeMember);
    t.equal(r.status, 403);
    const decisionId = r.headers.get('x-workjet-decision-id');
    t.ok(decisionId);
    const file = await waitForAuditFile(gw.auditDir, 'acme', (rec) => rec.requestId === r.headers.get('x-workjet-request-id'));
    t.match(file.record.decision, { id: decisionId, allow: false, wouldDeny: false });
    t.match(file.record.decision?.reasons.join(' '), 'role member does not grant audit.read');
  });

  t.test('an admin call of an admin records the allowing decision', async (t) => {
    const r = await call('/admin/v1/keys', keys.acmeAdmin);
    const file = await waitForAuditFile(gw.auditDir, 'acme', (rec) => rec.requestId === r.headers.get('x-workjet-request-id'));
    t.match(file.record.decision, { allow: true, wouldDeny: false });
    t.match(file.record.principal, { user: 'dave', role: 'admin', keyId: 'key-dave' });
  });

  t.test('unknown admin route → 404; missing or bad key → 401', async (t) => {
    const trailing = await call('/admin/v1/keys/?page=1', keys.acmeAdmin);
    t.equal(trailing.status, 200, 'a trailing slash and a query string still name the endpoint');
    const unknown = await call('/admin/v1/nothing-here', keys.acmeOwner);
    t.equal(unknown.status, 404);
    t.equal((unknown.body as unknown as ErrorBody).error.code, 'not_found');
    const wrongMethod = await call('/admin/v1/users', keys.acmeOwner, { method: 'PATCH', body: '{}' });
    t.equal(wrongMethod.status, 404, 'no such endpoint for that method');
    const missing = await call('/admin/v1/keys', undefined);
    t.equal(missing.status, 401);
    t.match(missing.body, { error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
    const bad = await call('/admin/v1/keys', 'wj_unknownKeyThatDoesNotExist0000000000000000');
    t.equal(bad.status, 401);
    const unknownNoKey = await call('/admin/v1/nothing-here', undefined);
    t.equal(unknownNoKey.status, 401, 'an unauthenticated caller learns nothing about which admin routes exist');
    const viaApiKeyHeader = await call('/admin/v1/keys', undefined, { headers: { 'x-api-key': keys.acmeAdmin } });
    t.equal(viaApiKeyHeader.status, 200, 'x-api-key works as on model routes');
  });

  t.test('a 401 admin call is recorded in the operator partition, not a tenant one', async (t) => {
    const missing = await call('/admin/v1/users', undefined);
    const requestId = missing.headers.get('x-workjet-request-id');
    const file = await waitForAuditFile(gw.auditDir, '_unauthenticated', (rec) => rec.requestId === requestId);
    t.match(file.record, { tenant: '_unauthenticated', status: 401, errorCode: 'invalid_api_key', principal: null });
  });

  t.test('no key of any kind in any audit record or log line', async (t) => {
    const all = [
      ...(await readAuditFiles(gw.auditDir, 'acme')),
      ...(await readAuditFiles(gw.auditDir, 'globex')),
      ...(await readAuditFiles(gw.auditDir, '_unauthenticated')),
    ]
      .map((f) => JSON.stringify(f.record))
      .join('\n');
    const logs = gw.logs.join('\n');
    for (const secret of [...Object.values(keys), ACME_OPENAI_KEY, ACME_ANTHROPIC_KEY, GLOBEX_OPENAI_KEY]) {
      t.notOk(all.includes(secret), 'audit free of secret');
      t.notOk(logs.includes(secret), 'logs free of secret');
    }
  });
});
