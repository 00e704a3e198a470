import t from 'tap';
import { readFile } from 'node:fs/promises';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { recordValidator } from './fixtures/schema.js';
import { recordFiles, waitFor } from './fixtures/files.js';

interface StoredRecord {
  id: string;
  requestId: string | null;
  tenant: string;
  action: string;
  status: number;
  errorCode: string | null;
  clientDisconnected: boolean;
  dlp: { detector: string; action: string }[];
  principal: { user: string } | null;
}

t.test('end to end: one record per request, at its own tenant’s path, readable over the admin API', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const bob = makeKey('key-bob', 'bob');
  const alice = makeKey('key-alice', 'alice');
  const carol = makeKey('key-carol', 'carol');
  const gw = await startGateway(t, {
    tenants: [
      {
        id: 'acme',
        providers: { openai: { apiKey: 'sk-acme-provider-secret', baseUrl: fake.openaiBaseUrl } },
        tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' } },
        users: [{ id: 'bob', role: 'member' }, { id: 'alice', role: 'owner' }],
        apiKeys: [bob.entry, alice.entry],
        dlp: { detectors: { credit_card: 'block' } },
      },
      {
        id: 'globex',
        providers: { demo: { type: 'demo' } },
        tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
        users: [{ id: 'carol', role: 'owner' }],
        apiKeys: [carol.entry],
        rateLimits: { perUser: { requestsPerMinute: 1 } },
      },
    ],
  });

  const requestIds = new Map<string, { tenant: string; status: number }>();
  async function call(key: string | undefined, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${gw.origin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...init,
    });
    return res;
  }
  async function expect(tenant: string, status: number, res: Promise<Response>, what: string): Promise<Response> {
    const r = await res;
    t.equal(r.status, status, what);
    const id = r.headers.get('x-workjet-request-id');
    t.ok(id, `${what}: has a request id`);
    requestIds.set(id!, { tenant, status });
    if (!r.bodyUsed) await r.arrayBuffer();
    return r;
  }
  const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'fast', messages: [{ role: 'user', content }], ...extra });

  await expect('acme', 200, call(bob.key, '/v1/chat/completions', chat('hello')), 'allowed');
  await expect('acme', 200, call(bob.key, '/v1/chat/completions', chat('stream please', { stream: true })), 'allowed stream');
  await expect('acme', 200, call(bob.key, '/v1/models'), 'models list');
  await expect('_unauthenticated', 401, call('wj_notAKeyAtAllxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', '/v1/chat/completions', chat('hi')), '401');
  await expect('acme', 403, call(bob.key, '/v1/chat/completions', { ...chat('hi'), model: 'openai/gpt-4o-mini' }), '403 direct model on team plan');
  await expect('acme', 400, call(bob.key, '/v1/chat/completions', chat('card 4111 1111 1111 1111')), 'DLP blocked');
  fake.enqueue({ status: 500 });
  await expect('acme', 502, call(bob.key, '/v1/chat/completions', chat('boom')), 'upstream error');
  await expect('globex', 200, call(carol.key, '/v1/chat/completions', chat('one')), 'globex first');
  await expect('globex', 429, call(carol.key, '/v1/chat/completions', chat('two')), 'globex rate limited');

  // A client that goes away mid-stream.
  const release = fake.holdStream();
  const aborter = new AbortController();
  const streaming = await call(bob.key, '/v1/chat/completions', chat('leaving', { stream: true }), { signal: aborter.signal });
  const leftId = streaming.headers.get('x-workjet-request-id')!;
  requestIds.set(leftId, { tenant: 'acme', status: 200 });
  const reader = streaming.body!.getReader();
  await reader.read();
  aborter.abort();
  await reader.cancel().catch(() => undefined);
  const upstream = await fake.waitForRequest((r) => JSON.stringify(r.body ?? null).includes('leaving'));
  await fake.waitForAbort(upstream, 10_000); // the gateway noticed and cut the upstream call
  release();

  const modelRequests = requestIds.size;
  await waitFor(async () => (await recordFiles(gw.auditDir)).length >= modelRequests, 15_000, 'one record per request');

  // Admin API: list and read back, another tenant's id is not found.
  const today = new Date().toISOString().slice(0, 10);
  const list = await call(alice.key, `/admin/v1/audit?date=${today}&limit=100`);
  t.equal(list.status, 200, 'owner lists audit records');
  const listed = (await list.json()) as { object: string; data: StoredRecord[]; next_cursor: string | null };
  t.equal(listed.object, 'list');
  const acmeModelRecords = [...requestIds.values()].filter((r) => r.tenant === 'acme').length;
  t.ok(listed.data.length >= acmeModelRecords, 'acme sees its own records');
  t.ok(listed.data.every((r) => r.tenant === 'acme'), 'and only its own');
  const globexList = (await (await call(carol.key, `/admin/v1/audit?date=${today}`)).json()) as { data: StoredRecord[] };
  const globexId = globexList.data.find((r) => r.action === 'model.invoke')!.id;
  const one = await call(alice.key, `/admin/v1/audit/${listed.data[0]!.id}`);
  t.equal(one.status, 200);
  t.equal(((await one.json()) as StoredRecord).id, listed.data[0]!.id);
  const foreign = await call(alice.key, `/admin/v1/audit/${globexId}`);
  t.equal(foreign.status, 404, "another tenant's record answers 404");
  await foreign.arrayBuffer();
  const member = await call(bob.key, `/admin/v1/audit?date=${today}`);
  t.equal(member.status, 403, 'a member may not read the audit log');
  await member.arrayBuffer();

  await new Promise((r) => setTimeout(r, 300));
  const validate = recordValidator();
  const records: (StoredRecord & { path: string })[] = [];
  for (const path of await recordFiles(gw.auditDir)) {
    const record = JSON.parse(await readFile(path, 'utf8')) as StoredRecord;
    t.ok(validate(record), `${record.action} ${record.status} validates`, { errors: validate.errors });
    t.ok(path.includes(`/audit/${record.tenant}/`) && path.endsWith(`/${record.id}.json`), 'stored at its own tenant’s path');
    records.push({ ...record, path });
  }
  const modelRecords = records.filter((r) => r.requestId !== null && requestIds.has(r.requestId));
  t.equal(modelRecords.length, modelRequests, 'exactly one record per model request');
  t.equal(new Set(modelRecords.map((r) => r.requestId)).size, modelRequests, 'no request recorded twice');
  for (const r of modelRecords) {
    const sent = requestIds.get(r.requestId!)!;
    t.equal(r.tenant, sent.tenant, `${r.requestId} in partition ${sent.tenant}`);
    if (r.requestId !== leftId) t.equal(r.status, sent.status, `${r.requestId} status ${sent.status}`);
  }
  const left = modelRecords.find((r) => r.requestId === leftId)!;
  t.equal(left.clientDisconnected, true, 'the disconnect is recorded');
  t.match(modelRecords.find((r) => r.status === 400), { errorCode: 'dlp_blocked', dlp: [{ detector: 'credit_card', action: 'block' }] });
  t.match(modelRecords.find((r) => r.status === 401), { principal: null, errorCode: 'invalid_api_key' });
  const adminRecords = records.filter((r) => r.action.startsWith('audit.'));
  t.ok(adminRecords.length >= 5, `admin calls are audited too (${adminRecords.length})`);
  const tree = (await Promise.all((await recordFiles(gw.auditDir)).map((p) => readFile(p, 'utf8')))).join('\n');
  for (const secret of [bob.key, alice.key, carol.key, 'sk-acme-provider-secret', '4111 1111 1111 1111']) {
    t.notOk(tree.includes(secret), `no ${secret.slice(0, 6)}… in the audit tree`);
  }
});
