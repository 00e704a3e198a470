import t, { type Test } from 'tap';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startPostgresServer } from '../helpers/postgres-server.js';

const acme = mintTenantScope('acme');

function tenants() {
  return [
    {
      id: 'acme',
      providers: { demo: { type: 'demo' } },
      tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
      users: [{ id: 'alice', role: 'owner' }, { id: 'bob', role: 'member' }],
    },
  ];
}

async function chat(gw: RunningGateway, key: string, model = 'fast'): Promise<number> {
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Calls until the status is `want`; fails after `limitMs`. Reports the time it took. */
async function statusWithin(t: Test, limitMs: number, what: string, call: () => Promise<number>, want: number): Promise<void> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started <= limitMs) {
    last = await call();
    if (last === want) {
      t.pass(`${what}: ${Date.now() - started} ms`);
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  t.fail(`${what}: still ${last} after ${limitMs} ms`);
}

t.test('embedded store (default): a key written to the store works at once and is refused at once when revoked', async (t) => {
  const gw = await startGateway(t, { tenants: tenants() });
  t.equal(gw.gateway.store.kind, 'sqlite');
  const created = await gw.gateway.store.keys.create(acme, { user: 'bob', createdBy: 'alice' });
  t.equal(await chat(gw, created.key.reveal()), 200);
  await gw.gateway.store.keys.revoke(acme, created.id);
  t.equal(await chat(gw, created.key.reveal()), 401);
  const ready = await fetch(`${gw.origin}/readyz`);
  t.equal(ready.status, 200, '/readyz includes the store');
});

t.test('two gateways on one PostgreSQL: keys and tiers written on one are served by the other within 1 s', async (t) => {
  const pg = await startPostgresServer(t);
  const url = await pg.createDatabase('wj_gateways');
  const a = await startGateway(t, { store: { kind: 'postgres', url }, tenants: tenants() });
  const b = await startGateway(t, { store: { kind: 'postgres', url }, tenants: tenants() });
  const created = await a.gateway.store.keys.create(acme, { user: 'bob', createdBy: 'alice' });
  const key = created.key.reveal();
  await statusWithin(t, 1000, 'a key created on A works on B', () => chat(b, key), 200);
  await a.gateway.store.keys.revoke(acme, created.id);
  t.equal(await chat(a, key), 401, 'refused on A at once');
  await statusWithin(t, 1000, 'revoked on A, refused on B', () => chat(b, key), 401);
  const other = await a.gateway.store.keys.create(acme, { user: 'bob', createdBy: 'alice' });
  await b.gateway.store.tiers.put(acme, 'smart', { provider: 'demo', model: 'demo-smart' });
  await statusWithin(t, 1000, 'a tier added on B routes on A', () => chat(a, other.key.reveal(), 'smart'), 200);

  // The request path reads only the compiled runtimes: with the database gone, requests are still
  // identified, routed and DLP-scanned; /readyz says the store is unreachable.
  await pg.stop();
  t.equal(await chat(a, other.key.reveal(), 'smart'), 200, 'served with PostgreSQL stopped');
  t.equal(await chat(b, key), 401, 'the revoked key is still refused with PostgreSQL stopped');
  const ready = await fetch(`${a.origin}/readyz`);
  const body = (await ready.json()) as { checks: Record<string, boolean> };
  t.equal(ready.status, 503);
  t.equal(body.checks['store'], false);
});
