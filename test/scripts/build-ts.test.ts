import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs script without types
import { buildTypeScript } from '../../scripts/build-ts.mjs';

type Build = (options: { root: string; force?: boolean }) => { built: boolean; reason: string };
const build = buildTypeScript as Build;

t.test('npm start compiles only when an input changed, and a deleted source leaves no compiled leftover', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wj-build-ts-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'proxy'));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'dist', rootDir: '.', strict: true, types: [] }, include: ['proxy/**/*.ts'] }));
  writeFileSync(join(root, 'proxy/main.ts'), 'export const answer: number = 42;\n');
  writeFileSync(join(root, 'proxy/old.ts'), 'export const old = 1;\n');

  t.match(build({ root }), { built: true, reason: 'first build' });
  t.ok(existsSync(join(root, 'dist/proxy/old.js')));
  const started = Date.now();
  t.same(build({ root }), { built: false, reason: 'up to date' }, 'nothing changed → no tsc');
  t.ok(Date.now() - started < 1000, `skipped in ${Date.now() - started} ms`);

  writeFileSync(join(root, 'proxy/main.ts'), 'export const answer: number = 43;\n');
  t.match(build({ root }), { built: true, reason: 'changed' }, 'an edit → compiled');
  rmSync(join(root, 'proxy/old.ts'));
  t.match(build({ root }), { built: true, reason: 'removed: proxy/old.ts' }, 'a deletion → compiled');
  t.notOk(existsSync(join(root, 'dist/proxy/old.js')), 'and its compiled file is gone');
  t.ok(existsSync(join(root, 'dist/proxy/main.js')));
});
