// The file sink's syncfs helper: a long-lived shell that runs `sync -f` per request. It syncs real
// paths, reports sync's own failure, restarts after being killed, leaves no process behind when
// closed, and says "cannot" (instead of failing) where `sync` has no --file-system option.
import t from 'tap';
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FilesystemSync } from '../../proxy/audit/filesystem-sync.js';
import { childProcesses, waitFor } from './fixtures/files.js';
import { tsxChildEnv } from '../helpers/child-process.js';

const MARKER = '@wj-sync';

/** No such process: a zombie (exited, not reaped) still has its /proc entry. */
async function isGone(pid: number): Promise<boolean> {
  return (await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')) === '';
}

/** Gone, or exited and waiting for its (new) parent to reap it. */
async function hasExited(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

t.test('syncs the filesystem of a real directory, repeatedly, through one helper process', async (t) => {
  const dir = t.testdir({ 'a.json': '{}' });
  const sync = new FilesystemSync();
  t.teardown(() => sync.close());
  t.equal(await sync.sync(dir), true);
  const [helper] = await childProcesses(MARKER);
  t.ok(helper, 'a helper process runs');
  for (let i = 0; i < 5; i++) t.equal(await sync.sync(dir), true);
  t.same(await childProcesses(MARKER), [helper], 'the same helper served every request');
});

t.test("sync's own failure rejects with its message; the helper keeps serving", async (t) => {
  const dir = t.testdir();
  const sync = new FilesystemSync();
  t.teardown(() => sync.close());
  await t.rejects(sync.sync(join(dir, 'missing')), { code: 'ESYNCFS', message: /sync -f failed \(status 1\): .*missing/ });
  t.equal(await sync.sync(dir), true, 'the next request is served');
});

t.test('a path with a line break is refused without running anything', async (t) => {
  const sync = new FilesystemSync();
  t.teardown(() => sync.close());
  t.equal(await sync.sync('/tmp/a\nb'), false);
  t.same(await childProcesses(MARKER), [], 'no helper was started');
});

t.test('a killed helper is replaced by a new one at the next request', async (t) => {
  const dir = t.testdir();
  const sync = new FilesystemSync();
  t.teardown(() => sync.close());
  t.equal(await sync.sync(dir), true);
  const [first] = await childProcesses(MARKER);
  process.kill(first as number, 'SIGKILL');
  await waitFor(async () => (await childProcesses(MARKER)).length === 0, 5000, 'the killed helper to be reaped');
  t.equal(await sync.sync(dir), true, 'served by a new helper');
  const [second] = await childProcesses(MARKER);
  t.not(second, first);
});

t.test('close resolves once the helper has exited and been reaped', async (t) => {
  const dir = t.testdir();
  const sync = new FilesystemSync();
  await sync.sync(dir);
  const [helper] = await childProcesses(MARKER);
  await sync.close();
  t.ok(await isGone(helper as number), 'no process and no zombie left');
  t.same(await childProcesses(MARKER), []);
});

t.test('where sync has no --file-system option, sync resolves false and the helper is gone', async (t) => {
  // A PATH with a real sh and grep, and a `sync` that, like busybox's, knows only -d.
  const bin = t.testdir();
  await mkdir(bin, { recursive: true });
  await symlink('/bin/sh', join(bin, 'sh'));
  await symlink('/bin/grep', join(bin, 'grep'));
  await writeFile(join(bin, 'sync'), '#!/bin/sh\necho "Usage: sync [-d] [FILE]..."\nexit 1\n');
  await chmod(join(bin, 'sync'), 0o755);
  const path = process.env['PATH'];
  process.env['PATH'] = bin;
  t.teardown(() => {
    process.env['PATH'] = path;
  });
  const sync = new FilesystemSync();
  t.teardown(() => sync.close());
  t.equal(await sync.sync(bin), false);
  process.env['PATH'] = path;
  t.equal(await sync.sync(bin), false, 'and it does not try again');
  await waitFor(async () => (await childProcesses(MARKER)).length === 0, 5000, 'the helper to exit');
});

t.test('with no shell on PATH, sync resolves false', async (t) => {
  const path = process.env['PATH'];
  process.env['PATH'] = t.testdir();
  t.teardown(() => {
    process.env['PATH'] = path;
  });
  const sync = new FilesystemSync();
  t.teardown(() => sync.close());
  t.equal(await sync.sync('/tmp'), false);
});

t.test('the helper ends when the gateway is killed with SIGKILL (its stdin closes)', async (t) => {
  const dir = t.testdir();
  const script = fileURLToPath(new URL('./fixtures/sync-helper-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { env: tsxChildEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  const helper = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (line: Buffer) => resolve(Number(line.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the child exited (${code}) before it started the helper`)));
  });
  t.ok(helper > 0 && !(await hasExited(helper)), 'the helper runs');
  child.kill('SIGKILL');
  await waitFor(() => hasExited(helper), 10_000, 'the orphaned helper to exit');
  t.pass('the helper exited after its gateway was killed');
});
