import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseConfig } from '../../proxy/config/load-config.js';
import type { GatewayConfig } from '../../proxy/config/schema.js';
import { hashApiKey } from '../../proxy/identity/api-keys.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { openTenantStore } from '../../proxy/store/open-store.js';
import { TenantRegistry } from '../../proxy/tenants/tenant-registry.js';
import { startPostgresServer } from '../helpers/postgres-server.js';

const logger = createLogger({ level: 'silent' });
const acme = mintTenantScope('acme');
const server = await startPostgresServer(t);
let databases = 0;

function config(store: Record<string, unknown>): GatewayConfig {
  return parseConfig({
    store,
    tenants: [{ id: 'acme', providers: { demo: { type: 'demo' } }, tiers: { fast: { provider: 'demo', model: 'demo-fast' } }, users: [{ id: 'alice', role: 'owner' }, { id: 'bob', role: 'member' }] }],
  });
}

/** One gateway instance's data plane: its own store connection and registry. */
async function instance(t: Test, cfg: GatewayConfig, pollIntervalMs?: number) {
  const store = await openTenantStore({ config: cfg, logger });
  const registry = await TenantRegistry.open({ config: cfg, store, logger, ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }) });
  t.teardown(async () => {
    registry.close();
    await store.close();
  });
  return { store, registry };
}

/** Polls `check` every 5 ms; resolves with the elapsed milliseconds, or fails the test after `limitMs`. */
async function within(t: Test, limitMs: number, what: string, check: () => boolean): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) {
      t.fail(`${what}: not within ${limitMs} ms`);
      return Number.POSITIVE_INFINITY;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsed = Date.now() - started;
  t.pass(`${what}: ${elapsed} ms`);
  return elapsed;
}

async function propagation(t: Test, cfg: GatewayConfig, pollIntervalMs?: number): Promise<void> {
  const a = await instance(t, cfg, pollIntervalMs);
  const b = await instance(t, cfg, pollIntervalMs);

  const created = await a.store.keys.create(acme, { user: 'bob', createdBy: 'alice' });
  const hash = hashApiKey(created.key.reveal());
  t.ok(a.registry.findKeyByHash(hash), 'the writing instance serves the key as soon as the write resolves');
  await within(t, 1000, 'a key created on A is known on B', () => b.registry.findKeyByHash(hash) !== undefined);

  await a.store.keys.revoke(acme, created.id);
  t.equal(a.registry.findKeyByHash(hash)?.key.revoked, true, 'revoked on A at once');
  await within(t, 1000, 'a key revoked on A is refused on B', () => b.registry.findKeyByHash(hash)?.key.revoked === true);

  await b.store.tiers.put(acme, 'smart', { provider: 'demo', model: 'demo-smart' });
  await within(t, 1000, 'a tier added on B routes on A', () => a.registry.get(acme).tiers.get('smart')?.model === 'demo-smart');

  const other = await a.store.operator.create({ id: 'newco', plan: 'team', owner: 'nina' });
  const newHash = hashApiKey(other.key.key.reveal());
  await within(t, 1000, 'a tenant created by the operator door on A is served on B', () => b.registry.findKeyByHash(newHash)?.tenant.config.id === 'newco');
  await a.store.operator.disable('newco');
  await within(t, 1000, 'a disabled tenant is refused on B', () => b.registry.findKeyByHash(newHash) === undefined && b.registry.findTenantForSession('newco') === undefined);
}

t.test('two instances on one PostgreSQL: LISTEN/NOTIFY propagates every write within 1 s', async (t) => {
  const url = await server.createDatabase(`wj_prop_${++databases}`);
  // A poll far slower than the deadline: only NOTIFY can meet it.
  await propagation(t, config({ kind: 'postgres', url }), 60_000);
});

t.test('two instances on one PostgreSQL without NOTIFY reaching them: the version check alone meets 1 s', async (t) => {
  const url = await server.createDatabase(`wj_prop_${++databases}`);
  const cfg = config({ kind: 'postgres', url });
  // Drop every LISTEN connection as it appears, so only the backstop is left.
  const kill = setInterval(() => {
    void server.query(`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'LISTEN%' and datname = $1`, [`wj_prop_${databases}`]).catch(() => undefined);
  }, 20);
  t.teardown(() => clearInterval(kill));
  await new Promise((r) => setTimeout(r, 50));
  await propagation(t, cfg, 500);
});

t.test('two connections on one SQLite file (as the gateway and `npm run tenants` are): the version check propagates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wj-reg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await propagation(t, config({ kind: 'sqlite', path: join(dir, 'workjet.db') }), 200);
});

t.test('reload(config) re-applies the YAML and refreshes the runtime', async (t) => {
  const cfg = config({ kind: 'sqlite', path: ':memory:' });
  const { registry } = await instance(t, cfg);
  t.ok(registry.get(acme).tiers.has('fast'));
  const next = parseConfig({ store: { kind: 'sqlite', path: ':memory:' }, tenants: [{ id: 'acme', providers: { demo: { type: 'demo' } }, tiers: { quick: { provider: 'demo', model: 'demo-quick' } }, users: [{ id: 'alice', role: 'owner' }] }] });
  await registry.reload(next);
  t.same([...registry.get(acme).tiers.keys()], ['quick']);
  t.same([...registry.get(acme).users.keys()], ['alice']);
});
