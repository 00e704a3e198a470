import t from 'tap';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { S3Sink, normalizePrefix } from '../../proxy/audit/s3-sink.js';
import { recordKey } from '../../proxy/audit/audit-key.js';
import { newLogId } from '../../proxy/audit/log-id.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { startS3, s3Client, listAllKeys, getObjectText, BUCKET, S3_CREDENTIALS } from './fixtures/s3.js';
import { s3AuditConfig } from './fixtures/config.js';
import { recordValidator } from './fixtures/schema.js';
import { waitFor } from './fixtures/files.js';

const silent = pino({ level: 'silent' });
const acme = mintTenantScope('acme');
const globex = mintTenantScope('globex');
const validate = recordValidator();

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

t.test('prefix normalisation', async (t) => {
  t.equal(normalizePrefix(''), '');
  t.equal(normalizePrefix('gw1'), 'gw1/');
  t.equal(normalizePrefix('/a/b/'), 'a/b/');
  t.throws(() => normalizePrefix('a/../b'), /must not contain/);
});

t.test('S3 sink against a real S3-compatible server (path-style, prefix)', async (t) => {
  const root = t.testdir();
  const s3 = await startS3(join(root, 's3'));
  t.teardown(() => s3.stop());
  const client = s3Client(s3.endpoint);
  t.teardown(() => client.destroy());

  const sink = new S3Sink({ bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', prefix: 'gw1/', forcePathStyle: true, ...S3_CREDENTIALS });
  const id = newLogId(Date.parse('2026-11-28T12:00:00Z'));
  await sink.put(recordKey('acme', id), '{"x":1}\n');
  await sink.put(recordKey('acme', id), '{"x":1}\n');
  t.same(await listAllKeys(client), [`gw1/audit/acme/2026/11/28/${id}.json`], 'one object at prefix + key, retry overwrote it');
  t.equal(await sink.get(recordKey('acme', id)), '{"x":1}\n');
  t.equal(await sink.get(recordKey('acme', newLogId(Date.now()))), undefined, 'missing key → undefined');
  t.same(await sink.list('audit/acme/2026/11/28/'), [`${id}.json`]);
  await sink.close();

  const log = await createAuditLog({ config: s3AuditConfig(join(root, 'data'), s3.endpoint, {}, 'gw1'), logger: silent, instanceId: 's3-test' });
  const records = [];
  for (let i = 0; i < 7; i++) records.push(await log.appendEvent(acme, { action: 'key.create', requestId: `r${i}` }));
  const foreign = await log.appendEvent(globex, { action: 'key.create' });
  await waitFor(() => log.stats().pendingRecords === 0, 10_000, 'delivery to S3');
  const keys = await listAllKeys(client, 'gw1/audit/');
  t.equal(keys.length, 9, 'the 8 records plus the object put directly above');
  for (const record of records) {
    const key = `gw1/${recordKey('acme', record.id)}`;
    t.ok(keys.includes(key), `record at ${key}`);
  }
  const body = JSON.parse(await getObjectText(client, `gw1/${recordKey('acme', records[0]!.id)}`)) as unknown;
  t.ok(validate(body), 'the object validates against the schema', { errors: validate.errors });

  // Reading back through S3 (ListObjectsV2 / GetObject under the tenant prefix).
  const date = records[0]!.time.slice(0, 10);
  const page1 = await log.reader.list(acme, { date, limit: 4 });
  t.same(page1.records.map((r) => r.id), records.slice(3).map((r) => r.id).reverse(), 'newest first');
  t.ok(page1.nextCursor);
  const page2 = await log.reader.list(acme, { date, limit: 4, cursor: page1.nextCursor! });
  t.same(page2.records.map((r) => r.id), records.slice(0, 3).map((r) => r.id).reverse());
  t.equal(page2.nextCursor, null);
  t.equal((await log.reader.get(acme, records[2]!.id))?.id, records[2]!.id);
  t.equal(await log.reader.get(acme, foreign.id), undefined, "another tenant's id is not found");
  t.equal((await log.reader.get(globex, foreign.id))?.tenant, 'globex');
  await log.close();
});

t.test('S3 down at start: records wait in the spool; a restart with S3 up delivers them', async (t) => {
  const root = t.testdir();
  const port = await deadPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const dataDir = join(root, 'data');
  const first = await createAuditLog({ config: s3AuditConfig(dataDir, endpoint), logger: silent, retryBaseMs: 20, retryMaxMs: 100, drainTimeoutMs: 200 });
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push((await first.appendEvent(acme, { action: 'model.invoke' })).id);
  await waitFor(() => first.stats().deliveryFailedAttempts > 0, 10_000, 'a failed delivery attempt');
  t.equal(first.stats().pendingRecords, 20, 'all 20 still in the spool');
  t.ok(first.stats().oldestUndeliveredAgeMs >= 0);
  t.match(first.stats().lastDeliveryError, /\S/, 'the delivery error is exposed');
  await first.close();

  const s3 = await startS3(join(root, 's3'), port);
  t.teardown(() => s3.stop());
  const client = s3Client(s3.endpoint);
  t.teardown(() => client.destroy());
  const second = await createAuditLog({ config: s3AuditConfig(dataDir, endpoint), logger: silent });
  await waitFor(async () => (await listAllKeys(client)).length === 20, 15_000, 'leftovers delivered to S3');
  const keys = await listAllKeys(client);
  t.same(keys.map((k) => k.split('/').pop()!.replace('.json', '')).sort(), [...ids].sort(), 'exactly the spooled records');
  await second.close();
});
