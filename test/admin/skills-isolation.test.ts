// The skills isolation matrix: two tenants × three roles × every skills route, with ids swapped
// between the tenants, on SQLite and on PostgreSQL (row-level security on). Another tenant's
// skill id is 404 on every route (403 first where the role lacks the action: the policy answers
// before existence is checked), and neither tenant's skills change because of the other's calls.
// The same-tenant rules ride along: members change only the skills they created.
import t, { type Test } from 'tap';
import { startGateway, makeKey, type RunningGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { startPostgresServer } from '../helpers/postgres-server.js';
import { adminCall } from './admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());

type Role = 'owner' | 'admin' | 'member';
const ROLES: readonly Role[] = ['owner', 'admin', 'member'];
const TENANTS = ['acme', 'globex'] as const;
type TenantId = (typeof TENANTS)[number];

function tenantsConfig() {
  const keys = {} as Record<TenantId, Record<Role, string>>;
  const tenants = TENANTS.map((id) => {
    const made = ROLES.map((role) => ({ role, ...makeKey(`key-${id}-${role}`, `${id}-${role}`) }));
    keys[id] = Object.fromEntries(made.map((m) => [m.role, m.key])) as Record<Role, string>;
    return {
      id,
      plan: 'team',
      providers: { openai: { apiKey: `sk-${id}-provider-key-000000`, baseUrl: fake.openaiBaseUrl } },
      tiers: { fast: { provider: 'openai', model: `gpt-${id}` } },
      users: made.map((m) => ({ id: `${id}-${m.role}`, role: m.role })),
      apiKeys: made.map((m) => m.entry),
    };
  });
  return { tenants, keys };
}

interface Skill {
  id: string;
  name: string;
  systemPrompt: string;
  published: boolean;
}

async function matrix(t: Test, gw: RunningGateway, keys: Record<TenantId, Record<Role, string>>): Promise<void> {
  const call = (method: string, path: string, key: string, body?: unknown) => adminCall(gw.origin, method, path, key, body);
  const list = async (tenant: TenantId) => ((await call('GET', '/admin/v1/skills', keys[tenant].owner)).body.data as Skill[]).map((s) => JSON.stringify(s)).sort();

  // Each tenant: a skill of the owner (published) and one of the member.
  const ids = {} as Record<TenantId, { owners: string; members: string; listing: string }>;
  for (const tenant of TENANTS) {
    const owners = await call('POST', '/admin/v1/skills', keys[tenant].owner, { name: `${tenant} owner skill`, description: 'd', systemPrompt: `${tenant} owner prompt` });
    const members = await call('POST', '/admin/v1/skills', keys[tenant].member, { name: `${tenant} member skill`, description: 'd', systemPrompt: `${tenant} member prompt` });
    t.equal(owners.status, 201);
    t.equal(members.status, 201);
    const listing = await call('POST', `/admin/v1/skills/${owners.body.id}/publish`, keys[tenant].admin);
    t.equal(listing.status, 200);
    ids[tenant] = { owners: owners.body.id, members: members.body.id, listing: listing.body.listingId };
  }
  const before = { acme: await list('acme'), globex: await list('globex') };

  let crossChecks = 0;
  for (const tenant of TENANTS) {
    const other: TenantId = tenant === 'acme' ? 'globex' : 'acme';
    for (const role of ROLES) {
      const key = keys[tenant][role];
      const publishStatus = role === 'member' ? 403 : 404;
      for (const foreign of [ids[other].owners, ids[other].members, ids[other].listing]) {
        const cases: [string, string, unknown, number][] = [
          ['GET', `/admin/v1/skills/${foreign}`, undefined, 404],
          ['PATCH', `/admin/v1/skills/${foreign}`, { name: 'hijacked' }, 404],
          ['DELETE', `/admin/v1/skills/${foreign}`, undefined, 404],
          ['POST', `/admin/v1/skills/${foreign}/publish`, undefined, publishStatus],
          ['POST', `/admin/v1/skills/${foreign}/unpublish`, undefined, publishStatus],
        ];
        for (const [method, path, body, status] of cases) {
          const reply = await call(method, path, key, body);
          t.equal(reply.status, status, `${tenant}/${role} ${method} ${path.replace(foreign, '<other tenant id>')}`);
          t.equal(reply.body?.error?.code, status === 404 ? 'not_found' : 'policy_denied');
          t.notOk(reply.text.includes(foreign) || reply.text.includes(other), 'the error names neither the id nor the other tenant');
          crossChecks++;
        }
        const model = await fetch(`${gw.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-workjet-skill': foreign },
          body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
        });
        t.equal(model.status, 404, `${tenant}/${role} model call with the other tenant's id`);
        crossChecks++;
      }
      const mine = (await call('GET', '/admin/v1/skills', key)).body.data as Skill[];
      t.notOk(
        mine.some((s) => s.id === ids[other].owners || s.id === ids[other].members || s.systemPrompt.includes(`${other} member`)),
        `${tenant}/${role}: the list holds none of ${other}'s skills`,
      );
      // Installing a published listing is the one cross-tenant door, and it copies into the caller's tenant.
      const installed = await call('POST', `/admin/v1/marketplace/skills/${ids[other].listing}/install`, key);
      t.equal(installed.status, 201, `${tenant}/${role} installs ${other}'s listing`);
      t.equal(installed.body.installedFrom, ids[other].listing);
      t.equal((await call('DELETE', `/admin/v1/skills/${installed.body.id}`, key)).status, 204, 'and may delete its own copy');
    }
  }
  t.ok(crossChecks >= 2 * 3 * 3 * 6, `${crossChecks} cross-tenant calls`);
  t.same({ acme: await list('acme'), globex: await list('globex') }, before, "no tenant's skills changed through the other's calls");

  // Same tenant: members change only their own skills; admins and owners any; publish needs skills.publish.
  for (const tenant of TENANTS) {
    const k = keys[tenant];
    t.equal((await call('PATCH', `/admin/v1/skills/${ids[tenant].members}`, k.member, { description: 'mine' })).status, 200, 'a member changes their own');
    t.match(await call('PATCH', `/admin/v1/skills/${ids[tenant].owners}`, k.member, { description: 'not mine' }), { status: 403, body: { error: { code: 'policy_denied', message: /own skills/ } } });
    t.equal((await call('DELETE', `/admin/v1/skills/${ids[tenant].owners}`, k.member)).status, 403, "nor deletes someone else's");
    t.equal((await call('GET', `/admin/v1/skills/${ids[tenant].owners}`, k.member)).status, 200, 'but reads every skill of the tenant');
    t.equal((await call('POST', `/admin/v1/skills/${ids[tenant].members}/publish`, k.member)).status, 403, 'publishing needs skills.publish');
    t.equal((await call('PATCH', `/admin/v1/skills/${ids[tenant].members}`, k.admin, { description: 'admin edit' })).status, 200, "an admin changes a member's skill");
    t.equal((await call('DELETE', `/admin/v1/skills/${ids[tenant].members}`, k.owner)).status, 204, 'an owner deletes any');
  }
}

t.test('SQLite', async (t) => {
  const { tenants, keys } = tenantsConfig();
  const gw = await startGateway(t, { tenants });
  await matrix(t, gw, keys);
});

t.test('PostgreSQL (row-level security on)', async (t) => {
  const pg = await startPostgresServer(t);
  const url = await pg.createDatabase('wj_skills');
  const { tenants, keys } = tenantsConfig();
  const gw = await startGateway(t, { store: { kind: 'postgres', url }, tenants });
  await matrix(t, gw, keys);
  const rows = await pg.query<{ n: string }>('select count(*)::text as n from skills', [], 'wj_skills');
  t.ok(Number(rows[0]?.n) >= 2, 'the skills live in PostgreSQL');
});
