// Provider keys and base URLs set over the admin API, on the embedded store (SQLite):
// - the key reaches the provider (decrypted for the request) and appears nowhere else: not in
//   answers, logs, audit records or the SQLite file (WAL included);
// - without WORKJET_MASTER_KEY the API refuses to store a key and says why;
// - a base URL on the operator's allowlist is trusted as is; any other goes through the SSRF
//   guard at connect time: a hostname that resolves to loopback passes the write-time check
//   (it is a name) but the loopback listener counts zero connections when a model is called.
import t from 'tap';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { makeKey, startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { waitForAuditFile, readAuditFiles } from '../server/fixtures/audit-files.js';
import { adminCall, TEST_MASTER_KEY } from './admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());
const owner = makeKey('key-alice', 'alice');
const tenant = {
  id: 'acme',
  providers: { demo: { type: 'demo' } },
  tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
  users: [{ id: 'alice', role: 'owner' }],
  apiKeys: [owner.entry],
};

t.test('canary provider key: reaches the provider, nowhere else in clear text', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wj-canary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'workjet.db');
  const gw = await startGateway(t, { store: { kind: 'sqlite', path: dbPath }, upstream: { allowedBaseUrls: [fake.url] }, pricing: { 'canary-model': { input: 1, output: 1 } }, tenants: [tenant] }, { storeEnv: { WORKJET_MASTER_KEY: TEST_MASTER_KEY } });
  const canary = `sk-canary-${Date.now()}-s3cr3tc4n4ry`;
  const put = await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/mine', owner.key, { type: 'openai', baseUrl: fake.openaiBaseUrl, apiKey: canary });
  t.match(put, { status: 200, body: { apiKeySet: true, baseUrl: fake.openaiBaseUrl } }, 'an allowlisted loopback origin is trusted as is');
  t.equal((await adminCall(gw.origin, 'PUT', '/admin/v1/routing/tiers/mine', owner.key, { provider: 'mine', model: 'canary-model' })).status, 200);
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: owner.key, maxRetries: 0 });
  const answer = await openai.chat.completions.create({ model: 'mine', messages: [{ role: 'user', content: 'hi' }] });
  t.ok(answer.choices[0]);
  const received = await fake.waitForRequest((r) => (r.body as { model?: string } | undefined)?.model === 'canary-model');
  t.equal(received.headers.authorization, `Bearer ${canary}`, "the tenant's key reached its provider");
  const texts = [put.text, (await adminCall(gw.origin, 'GET', '/admin/v1/routing', owner.key)).text];
  t.notOk(texts.some((x) => x.includes('s3cr3tc4n4ry')), 'not in answers');
  const requestId = put.headers.get('x-workjet-request-id');
  await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === requestId);
  const records = JSON.stringify((await readAuditFiles(gw.auditDir, 'acme')).map((f) => f.record));
  t.notOk(records.includes('s3cr3tc4n4ry'), 'not in audit records');
  for (const file of [dbPath, `${dbPath}-wal`]) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    t.equal(bytes.indexOf('s3cr3tc4n4ry'), -1, `not in ${file.endsWith('-wal') ? 'the WAL' : 'the SQLite file'}`);
  }
  t.ok(readFileSync(dbPath).includes(fake.openaiBaseUrl) || readFileSync(`${dbPath}-wal`).includes(fake.openaiBaseUrl), 'the provider row is in the file');
  await gw.close();
  t.notOk(gw.logs.some((l) => l.includes('s3cr3tc4n4ry')), 'not in logs');
});

t.test('without WORKJET_MASTER_KEY a provider key is refused with a clear message', async (t) => {
  const gw = await startGateway(t, { tenants: [tenant] }, { storeEnv: {} });
  const r = await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/mine', owner.key, { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey: 'sk-no-master-key' });
  t.match(r, { status: 400, body: { error: { code: 'invalid_request', param: 'apiKey', message: /WORKJET_MASTER_KEY/ } } });
  t.match(await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/mine', owner.key, { type: 'openai', baseUrl: 'https://api.example.com/v1' }), { status: 200, body: { apiKeySet: false } }, 'a provider without a key needs no master key');
});

t.test('a hostname resolving to loopback passes the write but never connects', async (t) => {
  let connections = 0;
  const listener = createServer((_req, res) => res.end('{}'));
  listener.on('connection', () => connections++);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => listener.close(() => resolve())));
  const port = (listener.address() as AddressInfo).port;
  const gw = await startGateway(t, { tenants: [tenant] }, { storeEnv: { WORKJET_MASTER_KEY: TEST_MASTER_KEY } });
  const name = hostname();
  const put = await adminCall(gw.origin, 'PUT', '/admin/v1/routing/providers/rebind', owner.key, { type: 'openai', baseUrl: `http://${name}:${port}/v1`, apiKey: 'sk-rebind' });
  t.equal(put.status, 200, `${name} is a name: accepted at write time`);
  t.equal((await adminCall(gw.origin, 'PUT', '/admin/v1/routing/tiers/rebind', owner.key, { provider: 'rebind', model: 'm' })).status, 200);
  const res = await fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'rebind', messages: [{ role: 'user', content: 'hi' }] }) });
  const body = (await res.json()) as { error: { code: string; message: string } };
  t.equal(res.status, 502);
  t.equal(body.error.code, 'upstream_error');
  t.equal(connections, 0, 'the loopback listener counted zero connections');
  t.notOk(body.error.message.includes('127.0.0.1'), 'the client is not told the internal address');
});
