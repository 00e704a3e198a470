import t from 'tap';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/fake-provider.js';
import { waitForAuditFile } from '../server/fixtures/audit-files.js';

/**
 * The isolation matrix: two tenants × three roles × every route that takes an id (ids of the
 * other tenant in the path, the query and the body), plus tenant-override headers. Whatever the
 * role, another tenant's id answers exactly like an id that does not exist (404, or the role's
 * own 403 before any lookup), and no answer carries anything of the other tenant. New routes
 * with ids are one more entry in ROUTES.
 */

const ROLES = ['owner', 'admin', 'member'] as const;
type Role = (typeof ROLES)[number];
type TenantId = 'acme' | 'globex';

const PROVIDER_KEYS: Record<TenantId, string> = { acme: 'sk-acme-matrix-provider-key-1111', globex: 'sk-globex-matrix-provider-key-2222' };

/** What each tenant owns that the other must never see (user ids, tier and provider names, keys). */
const MARKERS: Record<TenantId, string[]> = {
  acme: ['acme-owner-user', 'acme-admin-user', 'acme-member-user', 'acme-only-tier', 'acmeprov', PROVIDER_KEYS.acme],
  globex: ['globex-owner-user', 'globex-admin-user', 'globex-member-user', 'globex-only-tier', 'globexprov', PROVIDER_KEYS.globex],
};

interface Ids {
  /** An audit log id of this tenant. */
  logId: string;
  /** The day of that record (for audit listing). */
  date: string;
}

/** One route that takes an id: how to call it with `id` and where the id goes. */
interface RouteSpec {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly api: 'openai' | 'anthropic';
  /** The request for `id` (an id of the owner tenant or of the other). */
  build(id: (ids: Ids & { tier: string; provider: string }) => string, ids: Ids & { tier: string; provider: string }): { path: string; body?: unknown; headers?: Record<string, string> };
}

const ROUTES: readonly RouteSpec[] = [
  { name: 'GET /admin/v1/audit/{logId} (path)', method: 'GET', api: 'openai', build: (id, ids) => ({ path: `/admin/v1/audit/${id(ids)}` }) },
  { name: 'GET /admin/v1/audit?date&cursor (query)', method: 'GET', api: 'openai', build: (id, ids) => ({ path: `/admin/v1/audit?date=${ids.date}&cursor=${encodeURIComponent(id(ids))}` }) },
  { name: 'POST /v1/chat/completions model=tier (body)', method: 'POST', api: 'openai', build: (_id, ids) => ({ path: '/v1/chat/completions', body: { model: ids.tier, messages: [{ role: 'user', content: 'hi' }] } }) },
  { name: 'POST /v1/chat/completions model=provider/model (body)', method: 'POST', api: 'openai', build: (_id, ids) => ({ path: '/v1/chat/completions', body: { model: `${ids.provider}/gpt-x`, messages: [{ role: 'user', content: 'hi' }] } }) },
  { name: 'POST /v1/embeddings model=tier (body)', method: 'POST', api: 'openai', build: (_id, ids) => ({ path: '/v1/embeddings', body: { model: ids.tier, input: 'hi' } }) },
  { name: 'POST /v1/messages model=tier (body)', method: 'POST', api: 'anthropic', build: (_id, ids) => ({ path: '/v1/messages', body: { model: ids.tier, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } }) },
];

/** Admin list routes: each role sees only its own tenant in them, whatever the query says. */
const LISTS = ['/admin/v1/keys', '/admin/v1/users', '/admin/v1/routing', '/admin/v1/dlp', '/admin/v1/limits', '/admin/v1/usage', '/admin/v1/budget', '/v1/models'];
const OVERRIDES = { 'x-workjet-tenant': '%', 'x-tenant-id': '%', 'x-tenant': '%', tenant: '%', 'openai-organization': '%', 'openai-project': '%', 'x-forwarded-host': '%.example' };

function tenantConfig(id: TenantId, fake: FakeProvider) {
  const keys = Object.fromEntries(ROLES.map((role) => [role, makeKey(`key-${id}-${role}`, `${id}-${role}-user`)])) as Record<Role, ReturnType<typeof makeKey>>;
  return {
    keys,
    config: {
      id,
      plan: 'team',
      providers: { [`${id}prov`]: { type: 'openai', apiKey: PROVIDER_KEYS[id], baseUrl: fake.openaiBaseUrl }, [`${id}anth`]: { type: 'anthropic', apiKey: PROVIDER_KEYS[id], baseUrl: fake.anthropicBaseUrl } },
      tiers: { fast: { provider: `${id}prov`, model: `gpt-${id}` }, [`${id}-only-tier`]: { provider: `${id}prov`, model: `gpt-${id}-2` }, claude: { provider: `${id}anth`, model: `claude-${id}` } },
      users: ROLES.map((role) => ({ id: `${id}-${role}-user`, role })),
      apiKeys: ROLES.map((role) => keys[role].entry),
      budget: { monthlyUsd: 10 },
    },
  };
}

t.test('isolation matrix: 2 tenants × 3 roles × every route with an id, ids swapped in path, query and body', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const acme = tenantConfig('acme', fake);
  const globex = tenantConfig('globex', fake);
  const pricing = Object.fromEntries(['gpt-acme', 'gpt-acme-2', 'claude-acme', 'gpt-globex', 'gpt-globex-2', 'claude-globex', 'gpt-x'].map((m) => [m, { input: 1, output: 1 }]));
  const gw = await startGateway(t, { pricing, tenants: [acme.config, globex.config] });
  const keys: Record<TenantId, Record<Role, string>> = {
    acme: Object.fromEntries(ROLES.map((r) => [r, acme.keys[r].key])) as Record<Role, string>,
    globex: Object.fromEntries(ROLES.map((r) => [r, globex.keys[r].key])) as Record<Role, string>,
  };
  const call = async (api: 'openai' | 'anthropic', method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
    const auth: Record<string, string> = api === 'anthropic' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` };
    const res = await fetch(gw.origin + path, { method, headers: { ...auth, 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, text: await res.text() };
  };

  // One audit record per tenant, to have real ids of each.
  const ids = {} as Record<TenantId, Ids & { tier: string; provider: string }>;
  for (const tenant of ['acme', 'globex'] as const) {
    const res = await fetch(`${gw.origin}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${keys[tenant].member}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }) });
    await res.text();
    const file = await waitForAuditFile(gw.auditDir, tenant, (r) => r.requestId === res.headers.get('x-workjet-request-id'));
    ids[tenant] = { logId: file.record.id, date: file.record.time.slice(0, 10), tier: `${tenant}-only-tier`, provider: `${tenant}prov` };
  }
  const missing = { logId: '0190f5e0-0000-7000-8000-000000000000', date: ids.acme.date, tier: 'no-such-tier', provider: 'noprov' };
  let cases = 0;

  for (const [self, other] of [['acme', 'globex'], ['globex', 'acme']] as const) {
    for (const role of ROLES) {
      const key = keys[self][role];
      for (const route of ROUTES) {
        const foreign = route.build((x) => x.logId, ids[other]);
        const absent = route.build((x) => x.logId, missing);
        const a = await call(route.api, route.method, foreign.path, key, foreign.body);
        const b = await call(route.api, route.method, absent.path, key, absent.body);
        cases++;
        t.equal(a.status, b.status, `${self}/${role} ${route.name}: another tenant's id answers like a missing one (${a.status})`);
        t.ok(a.status === 404 || a.status === 403 || a.status === 400, `${self}/${role} ${route.name}: ${a.status} is a refusal`);
        // What the caller sent itself may be echoed (`The model 'x' does not exist`): that discloses nothing.
        const sent = JSON.stringify(foreign);
        for (const marker of [...MARKERS[other], ids[other].logId].filter((m) => !sent.includes(m))) t.notOk(a.text.includes(marker), `${self}/${role} ${route.name}: nothing of ${other} (${marker.slice(0, 12)}…)`);
      }
      for (const path of LISTS) {
        for (const query of ['', `?tenant=${other}`, `?tenant_id=${other}`]) {
          const headers = Object.fromEntries(Object.entries(OVERRIDES).map(([h, v]) => [h, v.replace('%', other)]));
          const r = await call('openai', 'GET', path + query, key, undefined, headers);
          cases++;
          t.ok(r.status === 200 || r.status === 403, `${self}/${role} GET ${path}${query} with override headers: ${r.status}`);
          for (const marker of MARKERS[other]) t.notOk(r.text.includes(marker), `${self}/${role} GET ${path}${query}: nothing of ${other}`);
        }
      }
      // Model call with every override header: served by the caller's own provider key.
      const before = fake.requests.length;
      const headers = Object.fromEntries(Object.entries(OVERRIDES).map(([h, v]) => [h, v.replace('%', other)]));
      const served = await call('openai', 'POST', `/v1/chat/completions?tenant=${other}`, key, { model: 'fast', messages: [{ role: 'user', content: 'hi' }], user: `${other}-owner-user`, metadata: { tenant: other } }, headers);
      cases++;
      t.equal(served.status, 200, `${self}/${role}: override headers change nothing`);
      const seen = fake.requests.slice(before).map((r) => String(r.headers['authorization']));
      t.same(seen, [`Bearer ${PROVIDER_KEYS[self]}`], `${self}/${role}: only ${self}'s provider key reached the provider`);
    }
  }
  t.ok(cases >= 2 * 3 * (ROUTES.length + LISTS.length * 3 + 1), `${cases} cases`);
});
