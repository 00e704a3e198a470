// The file sink's writer thread: writes land (temp file + rename), a sync covers the writes made
// before it, a close fails what had not been written, and the next write starts a new thread.
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileWriter } from '../../proxy/audit/file-writer.js';
import { childProcesses } from './fixtures/files.js';

t.test('writes made in one tick land in their files; a sync after them resolves; temp files are gone', async (t) => {
  const dir = t.testdir();
  const writer = new FileWriter();
  t.teardown(() => writer.close());
  const paths = Array.from({ length: 40 }, (_, i) => join(dir, 'day', `${i}.json`));
  await Promise.all(paths.map((path, i) => writer.write(path, `{"i":${i}}\n`)));
  await writer.sync();
  t.same(await Promise.all(paths.map((p) => readFile(p, 'utf8'))), paths.map((_, i) => `{"i":${i}}\n`));
  t.same((await readdir(join(dir, 'day'))).filter((n) => n.startsWith('.')), [], 'no temp file left');
});

t.test('a close fails the writes not yet done, and a later write starts a new thread', async (t) => {
  const dir = t.testdir();
  const writer = new FileWriter();
  t.teardown(() => writer.close());
  await writer.write(join(dir, 'first.json'), '1');
  const refused = t.rejects(writer.write(join(dir, 'lost.json'), '2'), /closed/, 'the write queued at close is refused, not silently dropped');
  await writer.close();
  await refused;
  await t.rejects(readFile(join(dir, 'lost.json')), { code: 'ENOENT' }, 'and was not written');
  await writer.write(join(dir, 'after.json'), '3');
  await writer.sync();
  t.equal(await readFile(join(dir, 'after.json'), 'utf8'), '3');
});

t.test('a failed write keeps its error code; the other writes of the same message still land', async (t) => {
  const dir = t.testdir();
  const writer = new FileWriter();
  t.teardown(() => writer.close());
  const results = await Promise.allSettled([writer.write(join(dir, 'ok.json'), 'ok'), writer.write(join(dir, 'ok.json', 'under-a-file.json'), 'x')]);
  t.equal(results[0].status, 'fulfilled');
  t.match(results[1], { status: 'rejected', reason: { code: /^(ENOTDIR|EEXIST)$/ } });
  await writer.sync();
  t.equal(await readFile(join(dir, 'ok.json'), 'utf8'), 'ok');
});

t.test('a large round is synced with one syncfs, a small one file by file; both land', async (t) => {
  const dir = t.testdir();
  const writer = new FileWriter();
  t.teardown(() => writer.close());
  const large = Array.from({ length: 40 }, (_, i) => join(dir, 'large', `${i}.json`));
  await Promise.all(large.map((path, i) => writer.write(path, `{"i":${i}}`)));
  await writer.sync();
  t.same(writer.syncsByMethod(), { filesystem: 1, files: 0 });
  const small = Array.from({ length: 3 }, (_, i) => join(dir, 'small', `${i}.json`));
  await Promise.all(small.map((path, i) => writer.write(path, `{"i":${i}}`)));
  await writer.sync();
  t.same(writer.syncsByMethod(), { filesystem: 1, files: 1 });
  t.same(await Promise.all([...large, ...small].map((p) => readFile(p, 'utf8'))), [...large.map((_, i) => `{"i":${i}}`), ...small.map((_, i) => `{"i":${i}}`)]);
});

t.test('where the system cannot syncfs, a large round is synced file by file', async (t) => {
  const dir = t.testdir();
  const path = process.env['PATH'];
  // The thread copies the environment when it starts, with the first write: no `sh`, no `sync`.
  process.env['PATH'] = join(dir, 'empty-bin');
  const writer = new FileWriter();
  t.teardown(() => writer.close());
  t.teardown(() => {
    process.env['PATH'] = path;
  });
  await writer.write(join(dir, 'day', '0.json'), '0');
  process.env['PATH'] = path;
  await Promise.all(Array.from({ length: 39 }, (_, i) => writer.write(join(dir, 'day', `${i + 1}.json`), `${i + 1}`)));
  await writer.sync();
  t.same(writer.syncsByMethod(), { filesystem: 0, files: 1 });
  t.equal((await readdir(join(dir, 'day'))).length, 40);
});

t.test('close ends the sync helper with the thread: no process is left behind', async (t) => {
  const dir = t.testdir();
  const writer = new FileWriter();
  await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(join(dir, `${i}.json`), `${i}`)));
  await writer.sync();
  t.equal((await childProcesses('@wj-sync')).length, 1, 'the helper ran');
  await writer.close();
  t.same(await childProcesses('@wj-sync'), [], 'gone (and reaped) once close resolved');
});
