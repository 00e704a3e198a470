// audit.layout: batched through the real gateway, file sink and S3 sink: concurrent requests of
// two tenants become one NDJSON object per tenant per flush window, the admin API lists (page by
// page) and gets them, another tenant's id stays 404, and audit:verify finds every chain intact.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway, makeKey, type RunningGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { tsxChildEnv } from '../helpers/child-process.js';
import { dayPrefix, parseDay } from '../../proxy/audit/audit-key.js';
import { batchRangeOfName } from '../../proxy/audit/batch-layout.js';
import { startS3, s3Client, listAllKeys, getObjectText, BUCKET, S3_CREDENTIALS } from './fixtures/s3.js';
import { waitFor } from './fixtures/files.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const FLUSH_MS = 300;

interface Listed {
  data: Array<{ id: string; tenant: string; requestId: string | null; action: string }>;
  next_cursor: string | null;
}

async function startTwoTenants(t: Test, audit: Record<string, unknown>) {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const alice = makeKey('key-alice', 'alice');
  const carol = makeKey('key-carol', 'carol');
  const gw = await startGateway(t, {
    audit: { layout: 'batched', batchFlushMs: FLUSH_MS, ...audit },
    tenants: [
      {
        id: 'acme',
        providers: { openai: { apiKey: 'sk-acme-upstream-test', baseUrl: fake.openaiBaseUrl } },
        tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' } },
        users: [{ id: 'alice', role: 'owner' }],
        apiKeys: [alice.entry],
      },
      {
        id: 'globex',
        providers: { demo: { type: 'demo' } },
        tiers: { fast: { provider: 'demo', model: 'demo-fast' } },
        users: [{ id: 'carol', role: 'owner' }],
        apiKeys: [carol.entry],
      },
    ],
  });
  return { gw, alice: alice.key, carol: carol.key };
}

/** 3 rounds of 10 concurrent requests per tenant, a little more than a window apart; returns the request ids per tenant. */
async function load(gw: RunningGateway, keys: Record<'acme' | 'globex', string>): Promise<Record<'acme' | 'globex', string[]>> {
  const ids: Record<'acme' | 'globex', string[]> = { acme: [], globex: [] };
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      (['acme', 'globex'] as const).flatMap((tenant) =>
        Array.from({ length: 10 }, async (_, i) => {
          const res = await fetch(`${gw.baseURL}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: `round ${round} #${i}` }] }),
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${tenant} request answered ${res.status}`);
          ids[tenant].push(res.headers.get('x-workjet-request-id') as string);
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, FLUSH_MS + 50));
  }
  return ids;
}

/** Every record of the tenant's day over the admin API, page by page (limit 7). */
async function listOverApi(t: Test, gw: RunningGateway, key: string, date: string): Promise<Listed['data']> {
  const out: Listed['data'] = [];
  let cursor: string | null = null;
  do {
    const res: Response = await fetch(`${gw.origin}/admin/v1/audit?date=${date}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
    t.equal(res.status, 200);
    const page = (await res.json()) as Listed;
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

async function checkAdminApi(t: Test, gw: RunningGateway, keys: Record<'acme' | 'globex', string>, ids: Record<'acme' | 'globex', string[]>, date: string): Promise<void> {
  const acme = await listOverApi(t, gw, keys.acme, date);
  const acmeModel = acme.filter((r) => r.action === 'model.invoke');
  t.same(acmeModel.map((r) => r.requestId).sort(), [...ids.acme].sort(), 'acme lists each of its requests once');
  t.ok(acme.every((r) => r.tenant === 'acme'), 'and nothing of globex');
  const idsListed = acme.map((r) => r.id);
  t.same(idsListed, [...idsListed].sort().reverse(), 'newest first across pages');
  const one = await fetch(`${gw.origin}/admin/v1/audit/${acmeModel[3]!.id}`, { headers: { authorization: `Bearer ${keys.acme}` } });
  t.equal(one.status, 200, 'get one record out of its batch');
  t.equal(((await one.json()) as { id: string }).id, acmeModel[3]!.id);
  const foreign = await fetch(`${gw.origin}/admin/v1/audit/${acmeModel[3]!.id}`, { headers: { authorization: `Bearer ${keys.globex}` } });
  t.equal(foreign.status, 404, "another tenant's record answers 404");
  await foreign.arrayBuffer();
  const globex = await listOverApi(t, gw, keys.globex, date);
  t.same(globex.filter((r) => r.action === 'model.invoke').map((r) => r.requestId).sort(), [...ids.globex].sort(), 'globex lists each of its requests once');
}

/** Objects per tenant: all batches, each holding one tenant's records only; fewer objects than records. */
function checkObjects(t: Test, tenant: string, objects: Array<{ name: string; text: string }>, requests: number): void {
  t.ok(objects.length > 0 && objects.every((o) => batchRangeOfName(o.name) !== undefined), `${tenant}: batch objects only`);
  const records = objects.flatMap((o) => o.text.trim().split('\n').map((l) => JSON.parse(l) as { tenant: string }));
  t.ok(records.every((r) => r.tenant === tenant), `${tenant}: no other tenant's record in its objects`);
  t.ok(records.length >= requests, `${tenant}: ${records.length} records`);
  // 3 rounds, each inside about one window: a handful of objects, not one per record.
  t.ok(objects.length <= 8, `${tenant}: ${objects.length} objects for ${records.length} records`);
}

/** Both tenants' gateway under the batched layout, after the load and once every record is delivered. */
async function startDelivered(t: Test, audit: Parameters<typeof startTwoTenants>[1]) {
  const { gw, alice, carol } = await startTwoTenants(t, audit);
  const keys = { acme: alice, globex: carol };
  const ids = await load(gw, keys);
  const log = gw.gateway.services.audit;
  await waitFor(() => log.stats().pendingRecords === 0, 15_000, 'delivery');
  return { gw, keys, ids, audit: log, date: new Date().toISOString().slice(0, 10) };
}

t.test('batched layout, file sink: requests → objects per tenant per window → admin API → audit:verify', async (t) => {
  const { gw, keys, ids, audit, date } = await startDelivered(t, {});
  for (const tenant of ['acme', 'globex'] as const) {
    const dayDir = join(gw.auditDir, dayPrefix(tenant, parseDay(date)!));
    const names = (await readdir(dayDir)).filter((n) => !n.startsWith('.'));
    checkObjects(t, tenant, await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dayDir, name), 'utf8') }))), 30);
  }
  await checkAdminApi(t, gw, keys, ids, date);
  await waitFor(() => audit.stats().pendingRecords === 0, 15_000, 'delivery of the audit.read records');
  for (const tenant of ['acme', 'globex']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'proxy/cli/audit-verify.ts', '--tenant', tenant, '--date', date, '--dir', gw.auditDir], { cwd: repoRoot, encoding: 'utf8', env: tsxChildEnv() });
    t.equal(r.status, 0, `audit:verify ${tenant}: ${r.stdout}${r.stderr}`);
    t.match(r.stdout, /OK: every chain is intact/);
  }
});

t.test('batched layout, S3 sink: requests → objects per tenant per window → admin API → audit:verify --config', async (t) => {
  const root = t.testdir();
  const s3 = await startS3(join(root, 's3'));
  t.teardown(() => s3.stop());
  const client = s3Client(s3.endpoint);
  t.teardown(() => client.destroy());
  const s3Config = { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', prefix: 'gw1', forcePathStyle: true, ...S3_CREDENTIALS };
  const { gw, keys, ids, audit, date } = await startDelivered(t, { sink: 's3', s3: s3Config });
  for (const tenant of ['acme', 'globex'] as const) {
    const prefix = `gw1/${dayPrefix(tenant, parseDay(date)!)}`;
    const keysListed = await listAllKeys(client, prefix);
    checkObjects(t, tenant, await Promise.all(keysListed.map(async (key) => ({ name: key.slice(prefix.length), text: await getObjectText(client, key) }))), 30);
  }
  await checkAdminApi(t, gw, keys, ids, date);
  await waitFor(() => audit.stats().pendingRecords === 0, 15_000, 'delivery of the audit.read records');
  // audit:verify over the bucket, given a config file whose audit section names it.
  const configPath = join(root, 'verify.yaml');
  await writeFile(configPath, JSON.stringify({ tenants: [{ id: 'acme', providers: { demo: { type: 'demo' } }, tiers: { fast: { provider: 'demo', model: 'demo-fast' } } }], audit: { sink: 's3', dir: join(root, 'spool-unused'), s3: s3Config } }));
  for (const tenant of ['acme', 'globex']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'proxy/cli/audit-verify.ts', '--tenant', tenant, '--date', date, '--config', configPath], { cwd: repoRoot, encoding: 'utf8', env: tsxChildEnv() });
    t.equal(r.status, 0, `audit:verify --config (S3) ${tenant}: ${r.stdout}${r.stderr}`);
    t.match(r.stdout, /OK: every chain is intact/);
    t.match(r.stdout, new RegExp(`s3://${BUCKET}/gw1/audit/${tenant}/`), 'it read the bucket');
  }
});
