// Spool lines keep the record's JSON text as written, so the sink stores exactly those bytes;
// a segment an earlier version wrote (`{"at":…,"record":{…}}` lines) is still delivered.
import t from 'tap';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { Spool } from '../../proxy/audit/spool.js';
import { HashChain } from '../../proxy/audit/hash-chain.js';
import { buildEventRecord, type AuditRecord } from '../../proxy/audit/audit-record.js';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { recordKey } from '../../proxy/audit/audit-key.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { fileAuditConfig } from './fixtures/config.js';
import { recordFiles, waitFor } from './fixtures/files.js';

const scope = mintTenantScope('acme');
const silent = pino({ level: 'silent' });

t.test('a spool line is JSON with tenant and id in front of the record text', async (t) => {
  const dir = join(t.testdir(), 'spool');
  const spool = await Spool.open({ dir });
  const record = new HashChain('line').link(buildEventRecord(scope, { action: 'key.create', requestId: 'quote " and \\ and ü' }));
  await spool.append(record);
  await spool.close();
  await spool.release();
  const segment = (await readdir(dir)).find((n) => n.endsWith('.ndjson'))!;
  const line = (await readFile(join(dir, segment), 'utf8')).trimEnd();
  const parsed = JSON.parse(line) as { at: number; tenant: string; id: string; record: AuditRecord };
  t.same(Object.keys(parsed), ['at', 'tenant', 'id', 'record']);
  t.equal(parsed.tenant, 'acme');
  t.equal(parsed.id, record.id);
  t.same(parsed.record, record);
});

t.test('records are stored with the bytes they were spooled with, from both line formats', async (t) => {
  const dir = t.testdir();
  const spoolDir = join(dir, 'spool');
  await mkdir(spoolDir, { recursive: true });
  const chain = new HashChain('legacy');
  const old = Array.from({ length: 5 }, (_, i) => chain.link(buildEventRecord(scope, { action: 'key.create', requestId: `old-${i}` })));
  // A segment as the previous version wrote it, left behind by a crash.
  const legacy = old.map((record, i) => `${JSON.stringify({ at: Date.now() - 1000 + i, record })}\n`).join('');
  await writeFile(join(spoolDir, `${String(Date.now() - 5000).padStart(15, '0')}-0badc0de-000000.ndjson`), legacy);

  const log = await createAuditLog({ config: fileAuditConfig(dir), logger: silent });
  const fresh = await log.appendEvent(scope, { action: 'key.create', requestId: 'new-0' });
  await waitFor(async () => (await recordFiles(dir)).length === 6, 10_000, 'six records delivered');
  await log.close();
  for (const record of [...old, fresh]) {
    t.equal(await readFile(join(dir, recordKey('acme', record.id)), 'utf8'), `${JSON.stringify(record)}\n`, `${record.requestId}: stored as serialised`);
  }
  t.same((await readdir(spoolDir)).filter((n) => n.endsWith('.ndjson')), [], 'both segments delivered and removed');
});
