// The batched layout (audit.layout: batched): one NDJSON object per tenant, day and flush window,
// read back by the reader (list with cursor pagination, get by id) and audit:verify, mixed with
// one-record objects in the same day; a crash that redelivers produces no duplicate records.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFile, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { createAuditReader } from '../../proxy/audit/audit-reader.js';
import { FileSink } from '../../proxy/audit/file-sink.js';
import { batchRangeOfName } from '../../proxy/audit/batch-layout.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import type { AuditRecord } from '../../proxy/audit/audit-record.js';
import { fileAuditConfig } from './fixtures/config.js';
import { walk } from './fixtures/files.js';
import { tsxChildEnv } from '../helpers/child-process.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const silent = pino({ level: 'silent' });
const acme = mintTenantScope('acme');
const globex = mintTenantScope('globex');
const DATE = '2026-11-28';
const DAY_DIR = ['audit', 'acme', '2026', '11', '28'];

function verify(dir: string, tenant = 'acme'): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'proxy/cli/audit-verify.ts', '--tenant', tenant, '--date', DATE, '--dir', dir], { cwd: repoRoot, encoding: 'utf8', env: tsxChildEnv() });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const at = (i: number): Date => new Date(Date.parse(`${DATE}T10:00:00Z`) + i * 1000);

/** Appends `count` acme records (and one globex record per 5) in `layout`, then closes (which delivers). */
async function writeRecords(dir: string, layout: 'records' | 'batched', count: number, from = 0): Promise<AuditRecord[]> {
  const log = await createAuditLog({ config: fileAuditConfig(dir, { layout, batchFlushMs: 200 }), logger: silent, instanceId: `gw-${layout}` });
  const records: AuditRecord[] = [];
  for (let i = from; i < from + count; i++) {
    // Concurrent appends, as concurrent requests make them.
    const batch = [log.appendEvent(acme, { action: 'model.invoke', requestId: `r${i}`, time: at(i) })];
    if (i % 5 === 0) batch.push(log.appendEvent(globex, { action: 'model.invoke', requestId: `g${i}`, time: at(i) }));
    const [mine] = await Promise.all(batch);
    records.push(mine as AuditRecord);
  }
  await log.close();
  return records;
}

async function dayNames(dir: string, tenant = 'acme'): Promise<string[]> {
  return (await readdir(join(dir, 'audit', tenant, '2026', '11', '28')).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
}

async function listAll(dir: string, scope = acme, limit = 7): Promise<AuditRecord[]> {
  const reader = createAuditReader(new FileSink(dir));
  const out: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.list(scope, { date: DATE, limit, ...(cursor ? { cursor } : {}) });
    out.push(...page.records);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

t.test('batched: one NDJSON object per tenant per window, read back page by page, verified', async (t) => {
  const dir = t.testdir();
  const records = await writeRecords(dir, 'batched', 40);
  const names = await dayNames(dir);
  t.ok(names.length >= 1 && names.length < 40, `fewer objects (${names.length}) than records (40)`);
  t.ok(names.every((n) => batchRangeOfName(n) !== undefined), 'every object is a batch: {firstLogId}_{lastLogId}.ndjson');
  let stored = 0;
  for (const name of names) {
    const lines = (await readFile(join(dir, ...DAY_DIR, name), 'utf8')).trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as AuditRecord);
    t.ok(parsed.every((r) => r.tenant === 'acme'), `${name}: one tenant only`);
    const range = batchRangeOfName(name)!;
    t.same([range.first, range.last], [parsed.map((r) => r.id).sort()[0], parsed.map((r) => r.id).sort().pop()], `${name}: named by its records' id range`);
    stored += parsed.length;
  }
  t.equal(stored, 40, 'every acme record stored once');
  t.equal((await dayNames(dir, 'globex')).length >= 1, true, 'globex has its own objects');

  const listed = await listAll(dir);
  t.same(listed.map((r) => r.id), records.map((r) => r.id).sort().reverse(), 'list: every record once, newest first, across pages');
  const reader = createAuditReader(new FileSink(dir));
  const target = records[17]!;
  t.same((await reader.get(acme, target.id))?.requestId, 'r17', 'get by log id finds it inside its batch');
  t.equal(await reader.get(globex, target.id), undefined, "another tenant's scope cannot read it");
  t.ok((await listAll(dir, globex)).every((r) => r.tenant === 'globex'), 'globex lists only its own');

  const ok = verify(dir);
  t.equal(ok.code, 0, ok.out);
  t.match(ok.out, /40 record\(s\), 1 chain\(s\)/);

  // Editing a record inside a batch is named like in the records layout.
  const name = names[0]!;
  const path = join(dir, ...DAY_DIR, name);
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace('"status":200', '"status":201'));
  const broken = verify(dir);
  t.equal(broken.code, 1);
  t.match(broken.out, /BREAK edited/);
});

t.test('records and batched objects mixed in one day: list, get and verify read both', async (t) => {
  const dir = t.testdir();
  const first = await writeRecords(dir, 'records', 12);
  const second = await writeRecords(dir, 'batched', 12, 12);
  const names = await dayNames(dir);
  t.equal(names.filter((n) => n.endsWith('.json')).length, 12, 'twelve one-record objects');
  t.ok(names.some((n) => n.endsWith('.ndjson')), 'and batch objects');
  const all = [...first, ...second];
  const listed = await listAll(dir, acme, 5);
  t.same(listed.map((r) => r.id), all.map((r) => r.id).sort().reverse(), 'one newest-first list over both layouts');
  const reader = createAuditReader(new FileSink(dir));
  t.equal((await reader.get(acme, first[3]!.id))?.requestId, 'r3');
  t.equal((await reader.get(acme, second[3]!.id))?.requestId, 'r15');
  const ok = verify(dir);
  t.equal(ok.code, 0, ok.out);
  t.match(ok.out, /24 record\(s\), 2 chain\(s\)/);
});

t.test('a batch in the wrong partition, or a foreign record inside one, is never read for this tenant', async (t) => {
  const dir = t.testdir();
  await writeRecords(dir, 'batched', 5);
  const globexNames = await dayNames(dir, 'globex');
  // Copy globex's batch into acme's day: its records say globex, so acme must not see them.
  await copyFile(join(dir, 'audit', 'globex', '2026', '11', '28', globexNames[0]!), join(dir, ...DAY_DIR, globexNames[0]!));
  const listed = await listAll(dir);
  t.equal(listed.length, 5, 'only the five acme records');
  t.ok(listed.every((r) => r.tenant === 'acme'));
  const globexRecord = (await listAll(dir, globex))[0]!;
  t.equal(await createAuditReader(new FileSink(dir)).get(acme, globexRecord.id), undefined, 'get by id does not return it either');
  const report = verify(dir);
  t.equal(report.code, 1, 'audit:verify flags the misplaced batch');
  t.match(report.out, /BREAK misplaced/);
});

t.test('a crash that redelivers a spool segment rewrites the same batch objects: no duplicates', async (t) => {
  const dir = t.testdir();
  const spoolDir = join(dir, 'spool');
  // First life: spool records but deliver nothing (the sink directory is a file, so puts fail).
  await mkdir(join(dir, 'audit'), { recursive: true });
  await writeFile(join(dir, 'audit', 'acme'), 'blocks delivery');
  const log = await createAuditLog({ config: fileAuditConfig(dir, { layout: 'batched', batchFlushMs: 200 }), logger: silent, drainTimeoutMs: 100, retryBaseMs: 10, retryMaxMs: 20 });
  const records: AuditRecord[] = [];
  for (let i = 0; i < 30; i++) records.push(await log.appendEvent(acme, { action: 'model.invoke', requestId: `c${i}`, time: at(i) }));
  await log.close();
  const segments = (await readdir(spoolDir)).filter((n) => n.endsWith('.ndjson'));
  t.equal(segments.length, 1, 'the records wait in the spool');
  const saved = join(dir, 'segment.copy');
  await copyFile(join(spoolDir, segments[0]!), saved);
  await rm(join(dir, 'audit', 'acme'));

  // Second life delivers; then the segment reappears (as if the process died before deleting it
  // and before its checkpoint was saved) and a third life delivers it all again.
  await (await createAuditLog({ config: fileAuditConfig(dir, { layout: 'batched', batchFlushMs: 200 }), logger: silent })).close();
  const firstNames = await dayNames(dir);
  const firstBytes = await Promise.all(firstNames.map((n) => readFile(join(dir, ...DAY_DIR, n), 'utf8')));
  await copyFile(saved, join(spoolDir, segments[0]!));
  await rm(join(spoolDir, 'checkpoint.json'), { force: true });
  await (await createAuditLog({ config: fileAuditConfig(dir, { layout: 'batched', batchFlushMs: 200 }), logger: silent })).close();
  t.same(await dayNames(dir), firstNames, 'the same object names');
  t.same(await Promise.all(firstNames.map((n) => readFile(join(dir, ...DAY_DIR, n), 'utf8'))), firstBytes, 'with the same bytes');
  t.same((await listAll(dir)).map((r) => r.id), records.map((r) => r.id).sort().reverse(), 'each record listed once');
  t.equal(verify(dir).code, 0, 'audit:verify: intact, no duplicate');
  t.notOk((await walk(dir)).some((p) => basename(p).startsWith('.')), 'no temp files left');
});
