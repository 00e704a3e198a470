import { randomBytes } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { parseConfig } from '../../proxy/config/load-config.js';
import { Secret } from '../../proxy/identity/secret.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { openTenantStore } from '../../proxy/store/open-store.js';
import type { TenantStore } from '../../proxy/store/tenant-store.js';
import { startPostgresServer } from '../helpers/postgres-server.js';
import { contractConfig, MASTER_KEY, storeContract } from './store-contract.js';

const logger = createLogger({ level: 'silent' });
const server = await startPostgresServer(t);
const acme = mintTenantScope('acme');
const beta = mintTenantScope('beta');

async function freshDatabase(): Promise<{ name: string; url: string }> {
  const name = `wj_${randomBytes(4).toString('hex')}`;
  return { name, url: await server.createDatabase(name) };
}

/** A plain client with the gateway's privileges (the derived role, as the store's pool uses it). */
async function gatewayRoleClient(url: string, role = 'workjet_app'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`set role ${role}`);
  return client;
}

t.test('store contract on PostgreSQL', (t) => {
  storeContract(t, async (t, config, env = {}) => {
    const { url } = await freshDatabase();
    const store = await openTenantStore({ config: parseConfig({ ...config, store: { kind: 'postgres', url } }), logger, env });
    t.teardown(() => store.close());
    return store;
  });
  t.end();
});

async function seedTwoTenants(store: TenantStore): Promise<void> {
  await store.keys.create(acme, { user: 'bob', name: 'acme-key', createdBy: 'alice' });
  await store.keys.create(beta, { user: 'carol', name: 'beta-key', createdBy: 'carol' });
}

t.test('row-level security: a deliberately unfiltered query returns only the scoped tenant rows (one URL, derived role)', async (t) => {
  const { url } = await freshDatabase();
  const store = await openTenantStore({ config: parseConfig({ ...contractConfig(), store: { kind: 'postgres', url } }), logger });
  t.teardown(() => store.close());
  await seedTwoTenants(store);
  const client = await gatewayRoleClient(url);
  t.teardown(() => client.end());

  await client.query('begin');
  await client.query(`select set_config('workjet.tenant_id', 'acme', true)`);
  const keys = await client.query<{ tenant_id: string }>('select tenant_id from api_keys');
  const users = await client.query<{ tenant_id: string }>('select tenant_id from users');
  t.same([...new Set(keys.rows.map((r) => r.tenant_id))], ['acme'], 'api_keys: only acme rows without a WHERE');
  t.same([...new Set(users.rows.map((r) => r.tenant_id))], ['acme'], 'users: only acme rows without a WHERE');
  const updated = await client.query(`update api_keys set revoked = 1`);
  t.equal(updated.rowCount, keys.rowCount, 'an unfiltered UPDATE touches only acme rows');
  await client.query('rollback');

  await client.query('begin');
  const none = await client.query('select * from api_keys');
  t.equal(none.rowCount, 0, 'no tenant setting: no rows at all');
  await client.query('rollback');

  await client.query('begin');
  await client.query(`select set_config('workjet.tenant_id', 'acme', true)`);
  const insert = await client.query(`insert into users (tenant_id, id, role, source, created_at) values ('beta', 'mallory', 'owner', 'api', 'x')`).then(
    () => 'inserted',
    (err: { message: string }) => err.message,
  );
  t.match(insert, /row-level security/, "inserting a row for another tenant is refused");
  await client.query('rollback');
  t.equal((await store.users.list(beta)).some((u) => u.id === 'mallory'), false);
});

t.test('row-level security with two roles: the owner migrates, the gateway role does not own the tables', async (t) => {
  const { name, url: superUrl } = await freshDatabase();
  const suffix = randomBytes(3).toString('hex');
  const ownerRole = `wj_owner_${suffix}`;
  const appRole = `wj_gateway_${suffix}`;
  await server.query(`create role ${ownerRole} login`);
  await server.query(`create role ${appRole} login`);
  await server.query(`alter database ${name} owner to ${ownerRole}`);
  await server.query(`grant all on schema public to ${ownerRole}`, [], name);
  const base = new URL(superUrl);
  const as = (role: string) => {
    const u = new URL(base);
    u.username = role;
    return u.toString();
  };
  const store = await openTenantStore({ config: parseConfig({ ...contractConfig(), store: { kind: 'postgres', url: as(appRole), migrationUrl: as(ownerRole) } }), logger });
  t.teardown(() => store.close());
  await seedTwoTenants(store);
  t.equal((await store.keys.list(beta)).length, 1, 'the gateway role works through the store');
  const client = new pg.Client({ connectionString: as(appRole) });
  await client.connect();
  t.teardown(() => client.end());
  await client.query('begin');
  await client.query(`select set_config('workjet.tenant_id', 'beta', true)`);
  const rows = await client.query<{ tenant_id: string; name: string }>('select tenant_id, name from api_keys');
  t.same(rows.rows, [{ tenant_id: 'beta', name: 'beta-key' }]);
  await client.query('rollback');
  const owner = await server.query<{ tableowner: string }>(`select tableowner from pg_tables where tablename = 'api_keys'`, [], name);
  t.same(owner, [{ tableowner: ownerRole }]);
});

t.test('pg_dump of the database holds no provider key in clear text', async (t) => {
  const { name, url } = await freshDatabase();
  const store = await openTenantStore({ config: parseConfig({ ...contractConfig(), store: { kind: 'postgres', url } }), logger, env: { WORKJET_MASTER_KEY: MASTER_KEY } });
  t.teardown(() => store.close());
  await store.providers.put(beta, 'openai', { type: 'openai', apiKey: new Secret('sk-canary-91c2e-in-postgres') });
  const dump = server.run('pg_dump', ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', name]);
  t.ok(dump.includes('wjk1:'), 'the dump has the sealed envelope');
  t.notOk(dump.includes('sk-canary-91c2e'), 'and not the key');
  t.notOk(dump.includes('sk-yaml-declared-provider-key'), 'nor the YAML-declared key');
});

t.test('instances starting together on a fresh database all come up with the YAML applied once', async (t) => {
  const { url } = await freshDatabase();
  const config = parseConfig({ ...contractConfig(), store: { kind: 'postgres', url } });
  const stores = await Promise.all([1, 2, 3].map(() => openTenantStore({ config, logger })));
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  for (const store of stores) t.same((await store.users.list(acme)).map((u) => u.id), ['alice', 'bob']);
  t.equal((await stores[0]!.keys.list(acme)).length, 1);
});
