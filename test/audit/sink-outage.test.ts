import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { startS3, s3Client, listAllKeys, getObjectText } from './fixtures/s3.js';
import { s3AuditConfig } from './fixtures/config.js';
import { waitFor } from './fixtures/files.js';

// The issue asks for a 30 s outage; 5 s under the same kind of load exercises the same path
// (spool grows, deliverer backs off, resumes) within the time a test file may take. The load is
// kept below what s3rver itself can store (~100 PUT/s), so the backlog drains in seconds.
const OUTAGE_MS = 5_000;
const LOAD_MS = 9_000;
const WRITERS = 4;
const PAUSE_MS = 50;

t.test('sink outage under load: every record arrives exactly once after S3 returns', async (t) => {
  const root = t.testdir();
  const s3Dir = join(root, 's3');
  let s3 = await startS3(s3Dir);
  const port = s3.port;
  t.teardown(() => s3.stop());
  const client = s3Client(s3.endpoint);
  t.teardown(() => client.destroy());

  const log = await createAuditLog({ config: s3AuditConfig(join(root, 'data'), s3.endpoint), logger: pino({ level: 'silent' }), retryBaseMs: 50, retryMaxMs: 1_000 });
  t.teardown(() => log.close());
  const scopes = [mintTenantScope('acme'), mintTenantScope('globex')];
  const appended: string[] = [];
  let appendErrors = 0;
  let maxPending = 0;
  let maxAge = 0;
  const started = Date.now();
  const load = Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      while (Date.now() - started < LOAD_MS) {
        try {
          const record = await log.appendEvent(scopes[w % 2]!, { action: 'model.invoke', requestId: `w${w}-${appended.length}` });
          appended.push(`${record.tenant}/${record.id}`);
        } catch {
          appendErrors++;
        }
        const stats = log.stats();
        maxPending = Math.max(maxPending, stats.pendingRecords);
        maxAge = Math.max(maxAge, stats.oldestUndeliveredAgeMs);
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }),
  );

  await new Promise((r) => setTimeout(r, 2_000));
  await s3.stop();
  const outageStart = Date.now();
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  const duringOutage = log.stats();
  s3 = await startS3(s3Dir, port);
  const outageMs = Date.now() - outageStart;
  await load;

  t.equal(appendErrors, 0, 'appends never failed: the spool absorbed the outage');
  t.ok(appended.length > 200, `${appended.length} records appended under load`);
  t.ok(duringOutage.deliveryFailedAttempts > 0, 'the deliverer saw the outage');
  t.ok(maxPending > 50, `the spool held up to ${maxPending} undelivered records`);
  t.ok(maxAge >= outageMs / 2, `oldest undelivered age reached ${maxAge} ms (outage ${outageMs} ms)`);

  await waitFor(() => log.stats().pendingRecords === 0, 30_000, 'the spool to drain');
  const keys = await listAllKeys(client, 'audit/');
  const delivered = keys.map((k) => {
    const [, tenant, , , , file] = k.split('/');
    return `${tenant}/${file!.replace('.json', '')}`;
  });
  t.equal(new Set(appended).size, appended.length, 'appended ids are unique');
  t.equal(keys.length, appended.length, 'as many objects as records: none lost, none twice');
  t.same([...delivered].sort(), [...appended].sort(), 'exactly the appended records, each at its own key');
  for (const key of keys.filter((_, i) => i % Math.ceil(keys.length / 25) === 0)) {
    const record = JSON.parse(await getObjectText(client, key)) as { id: string; tenant: string };
    t.equal(key, `audit/${record.tenant}/${key.split('/').slice(2, 5).join('/')}/${record.id}.json`, `object ${record.id} holds its own record`);
  }
  await log.close();
});
