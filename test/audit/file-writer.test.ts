// The file sink's writer thread: writes land (temp file + rename), a sync covers the writes made
// before it, a close fails what had not been written, and the next write starts a new thread.
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileWriter } from '../../proxy/audit/file-writer.js';

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
