import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { recordKey } from '../../proxy/audit/audit-key.js';
import { recordHash } from '../../proxy/audit/hash-chain.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import type { AuditRecord } from '../../proxy/audit/audit-record.js';
import { fileAuditConfig } from './fixtures/config.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const DATE = '2026-11-28';

function verify(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'proxy/cli/audit-verify.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** One day of acme records from gw-a, gw-b and gw-a again after a restart (three chains), plus globex records. */
async function writeDay(dir: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  const acme = mintTenantScope('acme');
  for (const instance of ['gw-a', 'gw-b', 'gw-a']) {
    const log = await createAuditLog({ config: fileAuditConfig(dir), logger: pino({ level: 'silent' }), instanceId: instance });
    for (let i = 0; i < 6; i++) {
      records.push(await log.appendEvent(acme, { action: 'model.invoke', requestId: `${instance}-${i}`, time: new Date(Date.parse(`${DATE}T10:00:00Z`) + i * 1000) }));
    }
    await log.appendEvent(mintTenantScope('globex'), { action: 'model.invoke', time: new Date(`${DATE}T11:00:00Z`) });
    await log.close();
  }
  return records;
}

t.test('audit:verify passes on an untouched day and names the exact record edited or deleted', async (t) => {
  const dir = t.testdir();
  const records = await writeDay(dir);
  const args = ['--tenant', 'acme', '--date', DATE, '--dir', dir];

  const clean = verify(args);
  t.equal(clean.code, 0, 'exit 0 on an untouched day');
  t.match(clean.out, /18 record\(s\), 3 chain\(s\)/, 'a restarted instance starts its own chain (no reused seq)');
  t.match(clean.out, /OK: every chain is intact/);

  const target = records[2]!; // gw-a seq 3, in the middle of its chain
  const path = join(dir, recordKey('acme', target.id));
  const original = await readFile(path, 'utf8');

  // 1. A field edited in place.
  await writeFile(path, original.replace('"status":200', '"status":500'));
  const edited = verify(args);
  t.equal(edited.code, 1, 'exit 1 on an edit');
  t.match(edited.out, new RegExp(`BREAK edited: record ${target.id} \\(instance gw-a-[0-9a-f]{8}, seq 3\\) was edited`));
  t.equal(edited.out.match(/BREAK/g)?.length, 1, 'exactly one break reported');
  await writeFile(path, original);

  // 2. A record deleted.
  await unlink(path);
  const deleted = verify(args);
  t.equal(deleted.code, 1, 'exit 1 on a deletion');
  t.match(deleted.out, new RegExp(`BREAK missing: record ${target.id} \\(instance gw-a-[0-9a-f]{8}, seq 3\\) is missing \\(deleted\\)`));
  t.equal(deleted.out.match(/BREAK/g)?.length, 1);
  await writeFile(path, original);

  // 3. An edit that also recomputes the record's own hash: the successor's link exposes it.
  const forged = { ...(JSON.parse(original) as AuditRecord), status: 204 };
  const reHashed = { ...forged, hash: recordHash(forged) };
  await writeFile(path, JSON.stringify(reHashed));
  const relinked = verify([...args, '--json']);
  t.equal(relinked.code, 1);
  const report = JSON.parse(relinked.out) as { ok: boolean; problems: { kind: string; logId: string }[] };
  t.equal(report.ok, false);
  t.same(report.problems.map((p) => [p.kind, p.logId]), [['relinked', target.id]], 'names the rewritten record');
  await writeFile(path, original);

  // 4. The first record of a chain deleted.
  const first = records[6]!; // gw-b seq 1
  await unlink(join(dir, recordKey('acme', first.id)));
  const head = verify(args);
  t.equal(head.code, 1);
  t.match(head.out, new RegExp(`record ${first.id} \\(instance gw-b-[0-9a-f]{8}, seq 1\\) is missing`));

  t.equal(verify(['--tenant', 'globex', '--date', DATE, '--dir', dir]).code, 0, 'the other tenant’s day is untouched');
});

t.test('audit:verify usage errors exit 2', async (t) => {
  t.equal(verify(['--tenant', '../etc', '--date', DATE]).code, 2);
  t.equal(verify(['--tenant', 'acme', '--date', '2026-02-30']).code, 2);
  t.equal(verify(['--bogus']).code, 2);
});
