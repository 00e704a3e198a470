// The admin API on PostgreSQL: two gateway instances share one database (a key created on A
// works on B within 1 s, revoked on A is refused on B within 1 s, a tier added on B routes on
// A within 1 s), the isolation matrix, and a canary provider key set over the API that appears
// nowhere in clear text: not in answers, logs, audit records or a pg_dump of the database.
import t, { type Test } from 'tap';
import { makeKey, startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startPostgresServer } from '../helpers/postgres-server.js';
import { readAuditFiles, waitForAuditFile } from '../server/fixtures/audit-files.js';
import { adminCall, TEST_MASTER_KEY, within } from './admin-client.js';
import { runIsolationMatrix } from './isolation-matrix.js';

const pg = await startPostgresServer(t);
const storeEnv = { WORKJET_MASTER_KEY: TEST_MASTER_KEY };

async function chat(gw: RunningGateway, key: string, model = 'fast'): Promise<number> {
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

function demoTenant(owner: { entry: object }): Record<string, unknown> {
  return {
    id: 'acme',
    providers: { demo: { type: 'demo' } },
    tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
    users: [{ id: 'alice', role: 'owner' }, { id: 'bob', role: 'member' }],
    apiKeys: [owner.entry],
  };
}

async function passWithin(t: Test, what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const took = await within(ms, check);
  t.ok(took <= ms, `${what}: ${Number.isFinite(took) ? `${took} ms` : 'never'}`);
}

t.test('two instances on one PostgreSQL: admin API writes are served by the other within 1 s', async (t) => {
  const url = await pg.createDatabase('wj_admin_two');
  const owner = makeKey('key-alice', 'alice');
  const config = { store: { kind: 'postgres', url }, tenants: [demoTenant(owner)] };
  const a = await startGateway(t, config, { storeEnv });
  const b = await startGateway(t, config, { storeEnv });
  const created = await adminCall(a.origin, 'POST', '/admin/v1/keys', owner.key, { user: 'bob' });
  t.equal(created.status, 201);
  const bobKey = created.body.key as string;
  await passWithin(t, 'a key created on A works on B', 1000, async () => (await chat(b, bobKey)) === 200);
  t.equal((await adminCall(a.origin, 'DELETE', `/admin/v1/keys/${created.body.id}`, owner.key)).status, 204);
  t.equal(await chat(a, bobKey), 401, 'refused on A at once');
  await passWithin(t, 'revoked on A, refused on B', 1000, async () => (await chat(b, bobKey)) === 401);
  t.equal((await adminCall(b.origin, 'PUT', '/admin/v1/routing/tiers/smart', owner.key, { provider: 'demo', model: 'demo-smart' })).status, 200);
  await passWithin(t, 'a tier added on B routes on A', 1000, async () => (await chat(a, owner.key, 'smart')) === 200);
  const listedOnA = await adminCall(a.origin, 'GET', '/admin/v1/keys', owner.key);
  t.match(listedOnA.body.data.find((k: { id: string }) => k.id === created.body.id), { revoked: true }, 'A lists what B sees');
});

t.test('PostgreSQL: zero cross-tenant reads or writes over the admin API', async (t) => {
  await runIsolationMatrix(t, { kind: 'postgres', url: await pg.createDatabase('wj_admin_matrix') });
});

t.test('a canary provider key set over the API: nowhere in answers, logs, audit or pg_dump', async (t) => {
  const url = await pg.createDatabase('wj_admin_canary');
  const owner = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, { store: { kind: 'postgres', url }, tenants: [demoTenant(owner)] }, { storeEnv });
  const canary = `sk-canary-${Date.now()}-c4n4ryc4n4ry`;
  const answers: string[] = [];
  const put = await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/canary', owner.key, { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey: canary });
  t.equal(put.status, 200);
  answers.push(put.text);
  answers.push((await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/canary', owner.key, { type: 'openai', baseUrl: 'http://127.0.0.1/v1', apiKey: canary })).text);
  answers.push((await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/canary', owner.key, { type: 'openai', apiKey: canary, bogus: 1 })).text);
  answers.push((await adminCall(gw.origin, 'GET', '/admin/v1/routing', owner.key)).text);
  t.match(JSON.parse(answers[3] ?? '{}'), { providers: { canary: { apiKeySet: true } } });
  t.notOk(answers.some((a) => a.includes(canary) || a.includes('c4n4ry')), 'not in any answer');
  const requestId = put.headers.get('x-workjet-request-id');
  await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === requestId);
  const records = JSON.stringify((await readAuditFiles(gw.auditDir, 'acme')).map((f) => f.record));
  t.ok(records.includes('provider_keys.write'), 'the writes were audited');
  t.notOk(records.includes('c4n4ry'), 'not in the audit records');
  const dump = pg.run('pg_dump', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '--data-only', 'wj_admin_canary']);
  t.ok(dump.includes('api.example.com'), 'the dump holds the provider row');
  t.notOk(dump.includes('c4n4ry'), 'not in a pg_dump');
  t.notOk(dump.includes(Buffer.from(canary).toString('base64').slice(0, 16)), 'not even base64-encoded');
  await gw.close();
  t.notOk(gw.logs.some((l) => l.includes('c4n4ry')), 'not in the logs');
});
