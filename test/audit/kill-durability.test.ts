import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { recordKey, dayPrefix, dayOf, logIdTimeMs } from '../../proxy/audit/audit-key.js';
import { verifyDay } from '../../proxy/audit/chain-verify.js';
import { FileSink } from '../../proxy/audit/file-sink.js';
import { fileAuditConfig, s3AuditConfig } from './fixtures/config.js';
import { startS3, s3Client, listAllKeys } from './fixtures/s3.js';
import { waitFor } from './fixtures/files.js';

const childScript = fileURLToPath(new URL('./fixtures/append-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MIN_ACKED = 400;

/**
 * Runs the appending child until it printed at least MIN_ACKED ids, then SIGKILLs it.
 * Returns the ids whose append had resolved (complete lines only).
 */
async function runAndKill(args: string[]): Promise<{ acked: string[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if ((out.match(/^id /gm)?.length ?? 0) >= MIN_ACKED && child.exitCode === null) {
        child.kill('SIGKILL'); // mid-way: appends are in flight right now
        resolve();
      }
    });
    void exit.then(() => reject(new Error(`child exited early: ${err}`)));
  });
  const signal = await exit; // reaped before anyone opens the spool again
  const lines = out.split('\n');
  lines.pop(); // a line cut by the kill is not an acknowledgement
  return { acked: lines.filter((l) => l.startsWith('id ')).map((l) => l.slice(3)), signal };
}

t.test('kill -9 with the file sink: every acknowledged record is delivered after restart', async (t) => {
  const dir = t.testdir();
  const { acked, signal } = await runAndKill([dir, 'file']);
  t.equal(signal, 'SIGKILL');
  t.ok(acked.length >= MIN_ACKED, `${acked.length} appends were acknowledged before the kill`);

  const log = await createAuditLog({ config: fileAuditConfig(dir), logger: pino({ level: 'silent' }) });
  t.teardown(() => log.close());
  await waitFor(() => log.stats().pendingRecords === 0, 20_000, 'the spool to drain');
  const sink = new FileSink(dir);
  const missing: string[] = [];
  for (const id of acked) if ((await sink.get(recordKey('acme', id))) === undefined) missing.push(id);
  t.same(missing, [], 'zero acknowledged records missing');

  // The chain of what survived is intact: a crash only ever cuts the tail.
  const day = dayOf(logIdTimeMs(acked[0]!));
  const prefix = dayPrefix('acme', day);
  const names = await sink.list(prefix);
  const files = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(dir, prefix, name), 'utf8') })));
  const report = verifyDay('acme', `${day.yyyy}-${day.mm}-${day.dd}`, files);
  t.same(report.problems, [], 'audit:verify finds no break after the crash');
  t.ok(report.records >= acked.length);
});

t.test('kill -9 while S3 is down: the spool carries every acknowledged record to S3 after restart', async (t) => {
  const root = t.testdir();
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const endpoint = `http://127.0.0.1:${port}`;
  const dataDir = join(root, 'data');

  const { acked } = await runAndKill([dataDir, 's3', endpoint]);
  t.ok(acked.length >= MIN_ACKED, `${acked.length} appends acknowledged while S3 was unreachable`);

  const s3 = await startS3(join(root, 's3'), port);
  t.teardown(() => s3.stop());
  const client = s3Client(endpoint);
  t.teardown(() => client.destroy());
  const log = await createAuditLog({ config: s3AuditConfig(dataDir, endpoint), logger: pino({ level: 'silent' }) });
  t.teardown(() => log.close());
  await waitFor(() => log.stats().pendingRecords === 0, 45_000, 'the spool to drain into S3');
  const keys = new Set(await listAllKeys(client, 'audit/acme/'));
  const missing = acked.filter((id) => !keys.has(recordKey('acme', id)));
  t.same(missing, [], 'zero acknowledged records missing from S3');
});
