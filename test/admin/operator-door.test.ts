// The operator's door: `/operator/v1/tenants` (off unless operator.token is set; bearer token)
// and `npm run tenants -- create|list|disable` on the same store. A created tenant's owner key
// is printed once and works at once; a disabled tenant's keys are refused; tenant keys never
// open the operator door.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeKey, startGateway } from '../helpers/gateway.js';
import { runCli } from '../config/run-cli.js';
import { operatorTokenMatches } from '../../proxy/admin/operator-routes.js';
import { adminCall } from './admin-client.js';

const TOKEN = 'op-token-0123456789abcdefghijklmnopqrstuvwxyz';
const owner = makeKey('key-alice', 'alice');
const acme = { id: 'acme', providers: { demo: { type: 'demo' } }, tiers: { fast: { provider: 'demo', model: 'demo-fast' } }, users: [{ id: 'alice', role: 'owner' }], apiKeys: [owner.entry] };

async function chat(baseURL: string, key: string): Promise<number> {
  const res = await fetch(`${baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }) });
  await res.arrayBuffer();
  return res.status;
}

t.test('off unless operator.token is set', async (t) => {
  const gw = await startGateway(t, { tenants: [acme] });
  t.match(await adminCall(gw.origin, 'GET', '/operator/v1/tenants', TOKEN), { status: 404 });
  t.match(await adminCall(gw.origin, 'POST', '/operator/v1/tenants', TOKEN, { id: 'x', owner: 'o' }), { status: 404 });
});

t.test('create, list, disable over HTTP', async (t) => {
  const gw = await startGateway(t, { operator: { token: TOKEN }, tenants: [acme] });
  t.match(await adminCall(gw.origin, 'GET', '/operator/v1/tenants', undefined), { status: 401, body: { error: { code: 'invalid_api_key' } } });
  t.match(await adminCall(gw.origin, 'GET', '/operator/v1/tenants', `${TOKEN}x`), { status: 401 });
  t.match(await adminCall(gw.origin, 'GET', '/operator/v1/tenants', owner.key), { status: 401 }, "a tenant owner's key does not open the operator door");
  const created = await adminCall(gw.origin, 'POST', '/operator/v1/tenants', TOKEN, { id: 'initech', plan: 'team', owner: 'peter' });
  t.match(created, { status: 201, body: { id: 'initech', owner: 'peter', key: /^wj_/ } });
  const key = created.body.key as string;
  t.match(await adminCall(gw.origin, 'GET', '/admin/v1/users', key), { status: 200, body: { data: [{ id: 'peter', role: 'owner', source: 'api' }] } }, 'the owner key works at once');
  t.match(await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/demo', key, { type: 'demo' }), { status: 200 });
  t.match(await adminCall(gw.origin, 'PUT', '/admin/v1/routing/tiers/fast', key, { provider: 'demo', model: 'demo-fast' }), { status: 200 });
  t.equal(await chat(gw.baseURL, key), 200, 'the new tenant calls a model with its own tier');
  t.match(await adminCall(gw.origin, 'POST', '/operator/v1/tenants', TOKEN, { id: 'initech', owner: 'x' }), { status: 409, body: { error: { code: 'conflict' } } });
  t.match(await adminCall(gw.origin, 'POST', '/operator/v1/tenants', TOKEN, { id: 'Bad Id', owner: 'x' }), { status: 400, body: { error: { param: 'id' } } });
  const list = await adminCall(gw.origin, 'GET', '/operator/v1/tenants', TOKEN);
  t.match(list.body.data, [{ id: 'acme', source: 'config', disabled: false }, { id: 'initech', source: 'api', disabled: false }]);
  t.notOk(list.text.includes(key), 'the list never shows a key');
  t.match(await adminCall(gw.origin, 'POST', '/operator/v1/tenants/initech/disable', TOKEN), { status: 200, body: { id: 'initech', disabled: true } });
  t.equal(await chat(gw.baseURL, key), 401, "a disabled tenant's key is refused");
  t.match(await adminCall(gw.origin, 'POST', '/operator/v1/tenants/acme/disable', TOKEN), { status: 409, body: { error: { code: 'managed_by_config' } } });
  t.match(await adminCall(gw.origin, 'POST', '/operator/v1/tenants/nope/disable', TOKEN), { status: 404 });
  t.notOk(gw.logs.some((l) => l.includes(key) || l.includes(TOKEN)), 'neither the key nor the token is logged');
});

t.test('the token comparison: exact match only', async (t) => {
  t.ok(operatorTokenMatches(`Bearer ${TOKEN}`, TOKEN));
  t.notOk(operatorTokenMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN));
  t.notOk(operatorTokenMatches(TOKEN, TOKEN), 'the Bearer scheme is required');
  t.notOk(operatorTokenMatches(undefined, TOKEN));
  t.notOk(operatorTokenMatches('Bearer ', TOKEN));
});

t.test('npm run tenants -- create|list|disable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wj-tenants-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, `audit: { dir: ${JSON.stringify(dir)} }\ntenants:\n  - id: acme\n    users: [{ id: alice, role: owner }]\n`);
  const created = await runCli('proxy/cli/tenants.ts', ['create', '--id', 'hooli', '--owner', 'gavin', '--config', file]);
  t.equal(created.status, 0, created.stderr);
  const key = /owner key \(shown once, store it now\): (wj_\S+)/.exec(created.stdout)?.[1];
  t.ok(key, 'the owner key is printed once');
  // Independent runs start together (each start costs a second or more); two of them write the
  // same SQLite file at once (both apply the YAML, one creates), and each waits for the other.
  const [again, listed, bad] = await Promise.all([
    runCli('proxy/cli/tenants.ts', ['create', '--id', 'hooli', '--owner', 'gavin', '--config', file]),
    runCli('proxy/cli/tenants.ts', ['list', '--config', file, '--json']),
    runCli('proxy/cli/tenants.ts', ['frobnicate', '--config', file]),
  ]);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists|already/);
  t.equal(bad.status, 2);
  t.match(bad.stderr, 'usage:');
  t.equal(listed.status, 0, listed.stderr);
  t.match(JSON.parse(listed.stdout), [{ id: 'acme' }, { id: 'hooli', source: 'api', disabled: false }]);
  t.notOk(listed.stdout.includes(key ?? 'none'));
  // The key the CLI printed works on a gateway over the same store.
  const gw = await startGateway(t, { audit: { dir }, tenants: [{ id: 'acme', users: [{ id: 'alice', role: 'owner' }] }] });
  t.match(await adminCall(gw.origin, 'GET', '/admin/v1/users', key), { status: 200, body: { data: [{ id: 'gavin', role: 'owner' }] } });
  await gw.close();
  const disabled = await runCli('proxy/cli/tenants.ts', ['disable', '--id', 'hooli', '--config', file]);
  t.equal(disabled.status, 0, disabled.stderr);
  t.match(disabled.stdout, 'disabled tenant hooli');
});
