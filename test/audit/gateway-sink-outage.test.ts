import t, { type Test } from 'tap';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { startS3, s3Client, listAllKeys, getObjectText, BUCKET, S3_CREDENTIALS, type RunningS3 } from './fixtures/s3.js';
import { startChatLoad } from './fixtures/chat-load.js';
import { acmeChatTenant } from './fixtures/config.js';
import { waitFor } from './fixtures/files.js';
import { batchRangeOfName, inBatchRange } from '../../proxy/audit/batch-layout.js';

/**
 * Issue 6, acceptance "sink outage", at gateway level: real HTTP load through the gateway while
 * the S3 server (s3rver, its own process) is down for 30 s. Requests keep succeeding because
 * the local spool holds their records; when S3 is back every record arrives, none twice.
 */

const OUTAGE_MS = 30_000; // the number
const BEFORE_MS = 3_000;
const AFTER_MS = 3_000;
const RATE = 25; // requests per second
const GET_CONCURRENCY = 16;

async function outage(t: Test, layout: 'records' | 'batched'): Promise<void> {
  const root = t.testdir();
  const s3Dir = join(root, 's3');
  let s3: RunningS3 = await startS3(s3Dir);
  const port = s3.port;
  t.teardown(() => s3.stop());
  const client = s3Client(s3.endpoint);
  t.teardown(() => client.destroy());
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());

  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    logging: { level: 'info' },
    audit: { sink: 's3', layout, s3: { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, ...S3_CREDENTIALS } },
    tenants: [
      acmeChatTenant(fake.openaiBaseUrl, alice.entry),
    ],
  });
  const audit = gw.gateway.services.audit;

  const load = startChatLoad({ baseURL: gw.baseURL, key: alice.key, concurrency: 4, ratePerSecond: RATE });
  await sleep(BEFORE_MS);
  await s3.stop();
  const outageStart = Date.now();
  let maxPending = 0;
  while (Date.now() - outageStart < OUTAGE_MS) {
    await sleep(250);
    maxPending = Math.max(maxPending, audit.stats().pendingRecords);
  }
  const atRestart = audit.stats();
  const outageEnd = Date.now();
  s3 = await startS3(s3Dir, port);
  await sleep(AFTER_MS);
  await load.stop();

  const answered = load.answered;
  const duringOutage = answered.filter((a) => a.sentAt > outageStart && a.answeredAt < outageEnd);
  t.comment(`${load.sent()} requests in ${BEFORE_MS + OUTAGE_MS + AFTER_MS} ms of load, ${duringOutage.length} of them sent and answered while S3 was down (${outageEnd - outageStart} ms)`);
  t.same(load.unexpected, [], 'every answer was a 200 with a request id');
  t.equal(load.incomplete(), 0, 'no request failed or was cut');
  t.equal(answered.length, load.sent(), 'every request was answered completely');
  t.ok(duringOutage.length >= (RATE * OUTAGE_MS) / 1000 / 2, `requests kept succeeding during the outage (${duringOutage.length})`);
  t.ok(atRestart.deliveryFailedAttempts > 0, `the deliverer saw the outage (${atRestart.deliveryFailedAttempts} failed attempts, last: ${atRestart.lastDeliveryError ?? ''})`);
  t.ok(atRestart.pendingRecords >= duringOutage.length, `the spool held the outage's records (${atRestart.pendingRecords} pending at restart, max ${maxPending})`);
  t.ok(atRestart.oldestUndeliveredAgeMs >= OUTAGE_MS / 2, `oldest undelivered record was ${atRestart.oldestUndeliveredAgeMs} ms old at restart`);
  t.ok(gw.logs.some((l) => l.includes('audit sink unavailable')), 'the outage was logged');

  await waitFor(() => audit.stats().pendingRecords === 0, 45_000, 'the spool to drain into S3');
  t.ok(gw.logs.some((l) => l.includes('audit sink reachable again')), 'the recovery was logged');

  const keys = await listAllKeys(client, 'audit/');
  const byRequest = new Map<string, string[]>();
  const misplaced: string[] = [];
  let next = 0;
  let records = 0;
  await Promise.all(
    Array.from({ length: GET_CONCURRENCY }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        const text = await getObjectText(client, key);
        const range = batchRangeOfName(key.split('/').pop()!);
        for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
          const record = JSON.parse(line) as { id: string; tenant: string; requestId: string };
          records++;
          const inPlace = layout === 'records' ? key.endsWith(`/${record.id}.json`) : range !== undefined && inBatchRange(range, record.id);
          if (!key.startsWith('audit/acme/') || !inPlace || record.tenant !== 'acme') misplaced.push(key);
          byRequest.set(record.requestId, [...(byRequest.get(record.requestId) ?? []), key]);
        }
      }
    }),
  );
  const ids = answered.map((a) => a.requestId);
  const missing = ids.filter((id) => !byRequest.has(id));
  const twice = [...byRequest].filter(([, k]) => k.length > 1).map(([id, k]) => `${id}: ${k.join(', ')}`);
  t.equal(new Set(ids).size, ids.length, 'request ids are unique');
  t.same(missing, [], `none missing: all ${ids.length} request ids have an object`);
  t.same(twice, [], 'none twice: no request id has two objects');
  t.same(misplaced, [], 'each object sits at its own record key of its tenant');
  t.equal(records, ids.length, 'as many records as requests');
  if (layout === 'records') t.equal(keys.length, ids.length, 'one object per request');
  else t.ok(keys.length < ids.length / 5, `batched: ${keys.length} objects for ${ids.length} records`);
  t.comment(`checked ${ids.length} request ids against ${records} records in ${keys.length} objects in S3: 0 missing, 0 duplicated`);
}

t.test('S3 down for 30 s under HTTP load: requests keep succeeding, every record arrives exactly once', (t) => outage(t, 'records'));

t.test('batched layout, S3 down for 30 s under HTTP load: every record arrives exactly once, in per-second objects', (t) => outage(t, 'batched'));
