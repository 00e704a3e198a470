import t, { type Test } from 'tap';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAuditLog, type AuditLog } from '../../proxy/audit/audit-log.js';
import { dayPrefix, parseDay, recordKey } from '../../proxy/audit/audit-key.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { listAuditRecords, getAuditRecord } from '../../proxy/admin/audit-handlers.js';
import { createAdminAuditRecorder } from '../../proxy/audit/admin-audit-recorder.js';
import type { AuditRecord } from '../../proxy/audit/audit-record.js';
import { fileAuditConfig } from './fixtures/config.js';
import { makePrincipal } from './fixtures/context.js';
import { waitFor } from './fixtures/files.js';

const DATE = '2026-11-28';
const acme = mintTenantScope('acme');
const globex = mintTenantScope('globex');

async function openLog(t: Test): Promise<{ log: AuditLog; dir: string }> {
  const dir = t.testdir();
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger: pino({ level: 'silent' }) });
  t.teardown(() => log.close());
  return { log, dir };
}

async function seed(log: AuditLog): Promise<{ acmeRecords: AuditRecord[]; globexRecord: AuditRecord }> {
  const acmeRecords: AuditRecord[] = [];
  for (let i = 0; i < 12; i++) {
    acmeRecords.push(await log.appendEvent(acme, { action: 'model.invoke', requestId: `r${i}`, time: new Date(Date.parse(`${DATE}T08:00:00Z`) + i * 60_000) }));
  }
  await log.appendEvent(acme, { action: 'model.invoke', time: new Date('2026-11-29T08:00:00Z') });
  const globexRecord = await log.appendEvent(globex, { action: 'model.invoke', time: new Date(`${DATE}T09:00:00Z`) });
  await waitFor(() => log.stats().pendingRecords === 0, 10_000, 'delivery');
  return { acmeRecords, globexRecord };
}

t.test('reader: newest first, paginated with an opaque cursor, scoped to the tenant', async (t) => {
  const { log } = await openLog(t);
  const { acmeRecords, globexRecord } = await seed(log);
  const newestFirst = acmeRecords.map((r) => r.id).reverse();

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await log.reader.list(acme, { date: DATE, limit: 5, ...(cursor ? { cursor } : {}) });
    seen.push(...page.records.map((r) => r.id));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  t.equal(pages, 3, '12 records in pages of 5');
  t.same(seen, newestFirst, 'every record once, newest first');
  t.same((await log.reader.list(acme, { date: '2026-11-29' })).records.length, 1, 'another day is another partition');
  t.same((await log.reader.list(acme, { date: '2026-11-27' })).records, [], 'an empty day');
  t.notOk(seen.includes(globexRecord.id), "another tenant's record never listed");

  t.equal((await log.reader.get(acme, acmeRecords[3]!.id))?.requestId, 'r3');
  t.equal(await log.reader.get(acme, globexRecord.id), undefined, "another tenant's id → undefined");
  t.equal(await log.reader.get(acme, 'not-an-id'), undefined);
  t.equal((await log.reader.get(globex, globexRecord.id))?.id, globexRecord.id);
  await t.rejects(log.reader.list({ tenantId: 'globex' } as never, { date: DATE }), /minted/, 'a forged scope is refused');
  await t.rejects(log.reader.list(acme, { date: DATE, cursor: 'garbage' }), { code: 'invalid_request' });
  const otherDayCursor = (await log.reader.list(acme, { date: DATE, limit: 1 })).nextCursor!;
  await t.rejects(log.reader.list(acme, { date: '2026-11-29', cursor: otherDayCursor }), { code: 'invalid_request' }, 'a cursor is bound to its date');
});

t.test('reader skips a misplaced record (a file whose tenant is not the partition’s)', async (t) => {
  const { log, dir } = await openLog(t);
  const { globexRecord } = await seed(log);
  // Copy globex's record into acme's folder, as a botched restore might.
  const key = recordKey('acme', globexRecord.id);
  await mkdir(join(dir, dayPrefix('acme', parseDay(DATE)!)), { recursive: true });
  await writeFile(join(dir, key), JSON.stringify(globexRecord));
  t.equal(await log.reader.get(acme, globexRecord.id), undefined);
  t.notOk((await log.reader.list(acme, { date: DATE, limit: 200 })).records.some((r) => r.id === globexRecord.id));
});

t.test('admin handlers: list and get shapes, 400s and 404s', async (t) => {
  const { log } = await openLog(t);
  const { acmeRecords, globexRecord } = await seed(log);

  const list = await listAuditRecords(log.reader, acme, new URLSearchParams({ date: DATE, limit: '10' }));
  t.equal(list.status, 200);
  const body = list.body as { object: string; data: AuditRecord[]; next_cursor: string | null; has_more: boolean };
  t.equal(body.object, 'list');
  t.equal(body.data.length, 10);
  t.equal(body.data[0]!.id, acmeRecords[11]!.id, 'newest first');
  t.equal(body.has_more, true);
  const next = await listAuditRecords(log.reader, acme, new URLSearchParams({ date: DATE, limit: '10', cursor: body.next_cursor! }));
  t.same((next.body as { data: AuditRecord[] }).data.map((r) => r.id), [acmeRecords[1]!.id, acmeRecords[0]!.id]);
  t.equal((next.body as { next_cursor: string | null }).next_cursor, null);

  const bads: Record<string, string>[] = [{ date: '2026-13-01' }, { date: '28-11-2026' }, { date: DATE, limit: '0' }, { date: DATE, limit: '1e2' }, { date: DATE, limit: '201' }, { date: DATE, cursor: 'x' }];
  for (const bad of bads) {
    const r = await listAuditRecords(log.reader, acme, new URLSearchParams(bad));
    t.equal(r.status, 400, `400 for ${JSON.stringify(bad)}`);
    t.match(r.body, { error: { code: 'invalid_request', type: 'invalid_request_error' } });
  }

  const one = await getAuditRecord(log.reader, acme, acmeRecords[0]!.id);
  t.equal(one.status, 200);
  t.equal((one.body as AuditRecord).id, acmeRecords[0]!.id);
  for (const id of [globexRecord.id, '../../globex/2026/11/28/x', acmeRecords[0]!.id.toUpperCase(), '01a22279-3ae0-4883-ba27-cf40dd7b1915']) {
    const r = await getAuditRecord(log.reader, acme, id);
    t.equal(r.status, 404, `404 for ${id}`);
    t.match(r.body, { error: { code: 'not_found', type: 'invalid_request_error', param: null } });
  }
});

t.test('admin audit recorder: one event per admin call, unauthenticated calls to the operator partition', async (t) => {
  const { log } = await openLog(t);
  const recorder = createAdminAuditRecorder(log);
  const alice = makePrincipal('acme', 'alice', 'admin', 'key-alice');
  await recorder.recordAdminAction({ principal: alice, requestId: 'req-1', action: 'audit.read', method: 'GET', path: '/admin/v1/audit?date=2026-11-28', status: 200, errorCode: undefined, decision: { id: 'd1', allow: true, reasons: [], wouldDeny: false }, latencyMs: 3.21, change: undefined });
  await recorder.recordAdminAction({ principal: undefined, requestId: 'req-2', action: 'admin.unknown', method: 'GET', path: '/admin/v1/keys', status: 401, errorCode: 'invalid_api_key', decision: undefined, latencyMs: 1, change: undefined });
  await waitFor(() => log.stats().pendingRecords === 0, 10_000, 'delivery');
  const today = new Date().toISOString().slice(0, 10);
  const page = await log.reader.list(acme, { date: today });
  t.equal(page.records.length, 1, 'only the authenticated call is in acme’s partition');
  t.match(page.records[0], { action: 'audit.read', route: '/admin/v1/audit', principal: { user: 'alice', keyId: 'key-alice', role: 'admin' }, details: { method: 'GET' }, status: 200 });
});
