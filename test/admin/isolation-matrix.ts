// The admin API isolation matrix, run against each store backend: two tenants × three roles ×
// every admin route with an id, the other tenant's ids put in the path, the query and the body.
// Every path id answers exactly as an id that does not exist (404 not_found where the role may
// act, the policy's 403 where it may not); body ids are refused as unknown; queries never widen
// the scope; and afterwards the other tenant's data is unchanged: zero reads, zero writes.
import type { Test } from 'tap';
import { makeKey, startGateway, type RunningGateway } from '../helpers/gateway.js';
import { adminCall, TEST_MASTER_KEY, type AdminReply } from './admin-client.js';

const ROLES = ['owner', 'admin', 'member'] as const;
type Role = (typeof ROLES)[number];
const GRANTS: Record<Role, ReadonlySet<string>> = {
  member: new Set<string>(),
  admin: new Set(['keys.write', 'users.write', 'routing.write', 'audit.read', 'keys.read', 'users.read', 'routing.read']),
  owner: new Set(['keys.write', 'users.write', 'routing.write', 'audit.read', 'keys.read', 'users.read', 'routing.read', 'provider_keys.write']),
};

interface TenantFixture {
  readonly id: string;
  readonly keys: Record<Role, string>;
  /** Ids created over the API, for the other tenant to try. */
  keyId: string;
  user: string;
  provider: string;
  tier: string;
  model: string;
  logId: string;
}

function tenantConfig(id: string): { config: Record<string, unknown>; keys: Record<Role, string> } {
  const made = Object.fromEntries(ROLES.map((r) => [r, makeKey(`key-${id}-${r}`, `${id}-${r}`)])) as Record<Role, ReturnType<typeof makeKey>>;
  return {
    config: {
      id,
      providers: { demo: { type: 'demo' } },
      tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
      users: ROLES.map((r) => ({ id: `${id}-${r}`, role: r })),
      apiKeys: ROLES.map((r) => made[r].entry),
    },
    keys: Object.fromEntries(ROLES.map((r) => [r, made[r].key])) as Record<Role, string>,
  };
}

async function expectStatus(t: Test, reply: AdminReply, status: number, what: string): Promise<void> {
  t.equal(reply.status, status, `${what}: ${reply.text.slice(0, 200)}`);
}

/** Creates one API-sourced entity of each kind in `tenant`, and one audit record to find. */
async function populate(t: Test, gw: RunningGateway, tenant: TenantFixture): Promise<void> {
  const owner = tenant.keys.owner;
  const call = (m: string, p: string, b?: unknown) => adminCall(gw.origin, m, p, owner, b);
  await expectStatus(t, await call('POST', '/admin/v1/users', { id: tenant.user, role: 'member' }), 201, `${tenant.id}: user`);
  const key = await call('POST', '/admin/v1/keys', { user: tenant.user, name: 'matrix' });
  await expectStatus(t, key, 201, `${tenant.id}: key`);
  tenant.keyId = key.body.id;
  await expectStatus(t, await call('PUT', `/admin/v1/routing/providers/${tenant.provider}`, { type: 'openai', baseUrl: `https://${tenant.id}.example.com/v1`, apiKey: `sk-${tenant.id}-matrix-canary` }), 200, `${tenant.id}: provider`);
  await expectStatus(t, await call('PUT', `/admin/v1/routing/tiers/${tenant.tier}`, { provider: tenant.provider, model: tenant.model }), 200, `${tenant.id}: tier`);
  const audit = await call('GET', '/admin/v1/audit');
  await expectStatus(t, audit, 200, `${tenant.id}: audit list`);
  for (let i = 0; i < 100 && !tenant.logId; i++) {
    const list = await call('GET', '/admin/v1/audit');
    tenant.logId = (list.body.data as Array<{ id: string }>)[0]?.id ?? '';
    if (!tenant.logId) await new Promise((r) => setTimeout(r, 50));
  }
  t.ok(tenant.logId, `${tenant.id}: an audit record to look for`);
}

/** What the other tenant holds, as its own owner sees it (to prove nothing changed). */
async function snapshot(gw: RunningGateway, tenant: TenantFixture): Promise<string> {
  const parts = await Promise.all(['/admin/v1/keys', '/admin/v1/users', '/admin/v1/routing', `/admin/v1/audit/${tenant.logId}`].map((p) => adminCall(gw.origin, 'GET', p, tenant.keys.owner)));
  return JSON.stringify(parts.map((p) => [p.status, p.body]));
}

/** Runs the matrix on a gateway with `store` (`{kind:'sqlite'}` or a PostgreSQL URL). */
export async function runIsolationMatrix(t: Test, store: Record<string, unknown>): Promise<void> {
  const a = tenantConfig('acme');
  const g = tenantConfig('globex');
  const gw = await startGateway(t, { store, tenants: [a.config, g.config] }, { storeEnv: { WORKJET_MASTER_KEY: TEST_MASTER_KEY } });
  const fixture = (id: string, keys: Record<Role, string>): TenantFixture => ({ id, keys, keyId: '', user: `${id}-api-user`, provider: `${id}-prov`, tier: `${id}-tier`, model: `${id}-secret-model`, logId: '' });
  const acme = fixture('acme', a.keys);
  const globex = fixture('globex', g.keys);
  await populate(t, gw, acme);
  await populate(t, gw, globex);
  const before = { acme: await snapshot(gw, acme), globex: await snapshot(gw, globex) };
  let calls = 0;

  for (const [me, other] of [[acme, globex], [globex, acme]] as const) {
    for (const role of ROLES) {
      const key = me.keys[role];
      const call = async (method: string, path: string, body?: unknown) => {
        calls++;
        const reply = await adminCall(gw.origin, method, path, key, body);
        // Nothing of the other tenant comes back, whatever the status.
        for (const secret of [other.model, `${other.id}.example.com`, `sk-${other.id}`, other.keyId]) {
          if (reply.text.includes(secret)) t.fail(`${me.id}/${role} ${method} ${path}: answer holds ${other.id}'s ${secret}`);
        }
        return reply;
      };
      // Path ids: the other tenant's id answers exactly as an id nobody has.
      const pathCases: Array<[string, string, string, unknown?]> = [
        ['DELETE', `/admin/v1/keys/{}`, 'keys.write'],
        ['PATCH', `/admin/v1/users/{}`, 'users.write', { role: 'member' }],
        ['DELETE', `/admin/v1/users/{}`, 'users.write'],
        ['DELETE', `/admin/v1/routing/providers/{}`, 'provider_keys.write'],
        ['DELETE', `/admin/v1/routing/tiers/{}`, 'routing.write'],
        ['GET', `/admin/v1/audit/{}`, 'audit.read'],
      ];
      const otherId: Record<string, string> = { keys: other.keyId, users: other.user, providers: other.provider, tiers: other.tier, audit: other.logId };
      for (const [method, template, action, body] of pathCases) {
        const area = template.split('/').at(-2) ?? '';
        const theirs = await call(method, template.replace('{}', encodeURIComponent(otherId[area] ?? '')), body);
        const nobodys = await call(method, template.replace('{}', area === 'audit' ? '0190f5c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6' : 'no-such-id'), body);
        const want = GRANTS[role].has(action) ? 404 : 403;
        t.equal(theirs.status, want, `${me.id}/${role} ${method} ${template} with ${other.id}'s id → ${want}`);
        t.equal(theirs.body?.error?.code, want === 404 ? 'not_found' : 'policy_denied');
        t.equal(theirs.status, nobodys.status, `${me.id}/${role} ${method} ${template}: same answer as an id nobody has`);
      }
      // Body ids: the other tenant's user, provider and tier are unknown here.
      const bodyCases: Array<[string, string, unknown, string]> = [
        ['POST', '/admin/v1/keys', { user: other.user }, 'keys.write'],
        ['PUT', `/admin/v1/routing/tiers/${me.id}-probe`, { provider: other.provider, model: 'x' }, 'routing.write'],
        ['PUT', `/admin/v1/routing/tiers/${me.id}-probe`, { provider: 'demo', model: 'x', fallbacks: [other.tier] }, 'routing.write'],
      ];
      for (const [method, path, body, action] of bodyCases) {
        const reply = await call(method, path, body);
        const want = GRANTS[role].has(action) ? 400 : 403;
        t.equal(reply.status, want, `${me.id}/${role} ${method} ${path} ${JSON.stringify(body)} → ${want}`);
      }
      // Query: a tenant named in the query string changes nothing.
      for (const path of ['/admin/v1/keys', '/admin/v1/users', '/admin/v1/routing', '/admin/v1/audit']) {
        const reply = await call('GET', `${path}?tenant=${other.id}&tenantId=${other.id}&cursor=${other.logId}`);
        if (reply.status === 200) t.notOk(reply.text.includes(`"${other.id}-`), `${me.id}/${role} ${path}?tenant=${other.id}: only ${me.id}'s data`);
        else t.equal(reply.status, role === 'member' ? 403 : 400, `${me.id}/${role} ${path}?tenant=…: ${reply.status}`);
      }
    }
  }
  t.equal(await snapshot(gw, acme), before.acme, "acme's data is unchanged");
  t.equal(await snapshot(gw, globex), before.globex, "globex's data is unchanged");
  t.ok(calls >= 2 * 3 * 18, `${calls} cross-tenant calls made`);
}
