#!/usr/bin/env node
// `npm run build` / `npm start`: compiles TypeScript only when something it reads changed, so a
// restart takes well under a second instead of a full `tsc` (~20 s). The fingerprint is the list
// of input files (proxy/ and bench/ .ts, tsconfig.json, package-lock.json) with their sizes and
// times, kept in dist/.build-fingerprint. When a file was deleted or renamed, dist/ is emptied
// first so no compiled leftover of it can be imported; otherwise tsc runs with --incremental.
//   node scripts/build-ts.mjs [--root DIR] [--force]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['proxy', 'bench'];
const EXTRA_FILES = ['tsconfig.json', 'package-lock.json'];

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) out.push(path);
  }
  return out;
}

/** Input files of the build and their fingerprint (`files` is the sorted relative list). */
export function fingerprint(root) {
  const files = [...SOURCE_DIRS.flatMap((d) => walk(join(root, d), [])), ...EXTRA_FILES.map((f) => join(root, f)).filter((f) => existsSync(f))]
    .map((f) => relative(root, f))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const st = statSync(join(root, file));
    hash.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return { files, hash: hash.digest('hex') };
}

/** Compiles `root` when stale (always with `force`). Returns `{ built, reason }`. */
export function buildTypeScript({ root = repoRoot, force = false } = {}) {
  const dist = join(root, 'dist');
  const stateFile = join(dist, '.build-fingerprint');
  const now = fingerprint(root);
  let before;
  try {
    before = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    before = undefined;
  }
  if (!force && before && before.hash === now.hash) return { built: false, reason: 'up to date' };
  const removed = before ? before.files.filter((f) => !now.files.includes(f)) : [];
  if (removed.length > 0 || force) rmSync(dist, { recursive: true, force: true });
  const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--incremental', '--tsBuildInfoFile', join(dist, '.tsbuildinfo')], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) throw new Error(`tsc failed (${result.status})`);
  mkdirSync(dist, { recursive: true });
  writeFileSync(stateFile, JSON.stringify(now));
  return { built: true, reason: removed.length > 0 ? `removed: ${removed.join(', ')}` : before ? 'changed' : 'first build' };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--root');
  const started = Date.now();
  try {
    const { built, reason } = buildTypeScript({ root: at >= 0 ? resolve(args[at + 1] ?? '.') : repoRoot, force: args.includes('--force') });
    process.stderr.write(`[build] ${built ? `compiled in ${Date.now() - started} ms (${reason})` : 'dist/ is up to date'}\n`);
  } catch (err) {
    process.stderr.write(`[build] ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
