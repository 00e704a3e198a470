import t from 'tap';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSink } from '../../proxy/audit/file-sink.js';
import { recordKey } from '../../proxy/audit/audit-key.js';
import { newLogId } from '../../proxy/audit/log-id.js';
import { walk } from './fixtures/files.js';

const time = Date.parse('2026-11-28T09:00:00Z');

t.test('writes the key under the dir: audit/{tenant}/{yyyy}/{mm}/{dd}/{id}.json', async (t) => {
  const dir = t.testdir();
  const sink = new FileSink(dir);
  const id = newLogId(time);
  const key = recordKey('acme', id);
  await sink.put(key, '{"a":1}\n');
  await sink.sync();
  t.equal(await readFile(join(dir, 'audit', 'acme', '2026', '11', '28', `${id}.json`), 'utf8'), '{"a":1}\n');
  t.equal(await sink.get(key), '{"a":1}\n');
  t.equal(await sink.get(recordKey('acme', newLogId(time))), undefined);
  t.same(await sink.list('audit/acme/2026/11/28/'), [`${id}.json`]);
  t.same(await sink.list('audit/acme/2030/01/01/'), [], 'missing day lists empty');
  await sink.put(key, '{"a":1}\n');
  t.same(await sink.list('audit/acme/2026/11/28/'), [`${id}.json`], 'same key again: still one file (idempotent)');
  await sink.close();
});

t.test('keys cannot escape the directory', async (t) => {
  const sink = new FileSink(t.testdir());
  await t.rejects(sink.put('../../etc/passwd', 'x'), /escapes/);
  await t.rejects(sink.get('../outside.json'), /escapes/);
  t.throws(() => recordKey('../globex', newLogId(time)), /invalid audit partition/);
  t.throws(() => recordKey('acme', '../../x'), /invalid audit log id/);
});

t.test('atomic: a concurrent reader never sees a partial record, and temp files are hidden', async (t) => {
  const dir = t.testdir();
  const sink = new FileSink(dir);
  // Large bodies make a torn write likely to be observed if the rename were not atomic.
  const body = (i: number): string => `${JSON.stringify({ i, pad: 'x'.repeat(512 * 1024) })}\n`;
  const dayDir = join(dir, 'audit', 'acme', '2026', '11', '28');
  let writing = true;
  let observed = 0;
  let partial = 0;
  let tempSeen = 0;
  let listedTemp = 0;
  const reader = (async () => {
    while (writing) {
      const names = await readdir(dayDir).catch(() => [] as string[]);
      for (const name of names) {
        if (name.startsWith('.')) {
          tempSeen++;
          continue;
        }
        const text = await readFile(join(dayDir, name), 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        observed++;
        try {
          JSON.parse(text);
        } catch {
          partial++;
        }
      }
      listedTemp += (await sink.list('audit/acme/2026/11/28/')).filter((n) => n.startsWith('.')).length;
    }
  })();
  for (let i = 0; i < 80; i += 4) {
    await Promise.all([0, 1, 2, 3].map((j) => sink.put(recordKey('acme', newLogId(time)), body(i + j))));
    await new Promise((r) => setImmediate(r));
  }
  writing = false;
  await reader;
  await sink.sync();
  t.equal(partial, 0, 'no partial file was ever visible');
  t.equal(listedTemp, 0, 'list() never shows temp files');
  t.ok(observed > 0, `reader observed ${observed} complete files (temp files seen and skipped: ${tempSeen})`);
  const files = await walk(dir);
  t.equal(files.length, 80, 'exactly the 80 records, no leftover temp files');
  t.notOk(files.some((f) => f.split('/').pop()!.startsWith('.')), 'no temp file left behind');
});

t.test('a failed put rejects with the filesystem error code, and the sink recovers once the cause is gone', async (t) => {
  const dir = t.testdir();
  const sink = new FileSink(dir);
  t.teardown(() => sink.close());
  const dayDir = join(dir, 'audit', 'acme', '2026', '11', '28');
  await sink.put(recordKey('acme', newLogId(time)), '{"n":1}\n');
  await sink.sync();
  // The day's directory disappears under the running sink (an operator cleaning up, a remount).
  await rm(join(dir, 'audit'), { recursive: true });
  await t.rejects(sink.put(recordKey('acme', newLogId(time)), '{"n":2}\n'), { code: 'ENOENT' }, 'the error keeps its code');
  const again = newLogId(time);
  await sink.put(recordKey('acme', again), '{"n":3}\n');
  await sink.sync();
  t.equal(await readFile(join(dayDir, `${again}.json`), 'utf8'), '{"n":3}\n', 'the retry made the directory again and wrote the record');

  // A regular file where a directory must go: every put fails until it is moved away.
  await writeFile(join(dir, 'audit', 'globex'), 'not a directory');
  await t.rejects(sink.put(recordKey('globex', newLogId(time)), '{}\n'), { code: /^(ENOTDIR|EEXIST)$/ });
  await rm(join(dir, 'audit', 'globex'));
  const globex = newLogId(time);
  await sink.put(recordKey('globex', globex), '{"g":1}\n');
  await sink.sync();
  t.same(await sink.list('audit/globex/2026/11/28/'), [`${globex}.json`]);
});
