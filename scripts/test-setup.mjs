#!/usr/bin/env node
// Prepares everything `npm test` needs on a fresh machine of this project's kind, and skips
// whatever is already there: redis-server and postgresql (Debian), the pinned opa + the policy bundle, the
// Python virtualenv with the official `openai` SDK, and a typecheck of the sources and the tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON_OPENAI = 'openai==3.3.1';

function step(name, fn) {
  const started = Date.now();
  process.stdout.write(`[test-setup] ${name}…\n`);
  fn();
  process.stdout.write(`[test-setup] ${name}: done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

step('redis-server', () => {
  if (has('redis-server')) return;
  if (process.getuid?.() !== 0) throw new Error('redis-server is missing: install it (Debian: apt-get install -y redis-server)');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
});

// The store's contract and row-level-security tests start a real PostgreSQL 15 (initdb + postgres
// as a non-root user, see test/helpers/postgres-server.ts); Debian 12's `postgresql` is 15.
step('postgresql', () => {
  const bin = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
  if (existsSync(join(bin, 'initdb'))) return;
  if (process.getuid?.() !== 0) throw new Error(`PostgreSQL 15 is missing at ${bin}: install it (Debian: apt-get install -y postgresql) or set POSTGRES_BIN`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
});

step('policy bundle', () => {
  execFileSync(process.execPath, [join(root, 'scripts/policy-build.mjs')], { stdio: 'inherit', cwd: root });
});

step('python venv with the openai SDK', () => {
  const py = join(root, '.venv/bin/python');
  if (existsSync(py) && spawnSync(py, ['-c', 'import openai'], { stdio: 'ignore' }).status === 0) return;
  execFileSync('python3', ['-m', 'venv', join(root, '.venv')], { stdio: 'inherit' });
  execFileSync(join(root, '.venv/bin/pip'), ['install', '-q', '--disable-pip-version-check', PYTHON_OPENAI], { stdio: 'inherit' });
});

// tsconfig.test.json is tsconfig.json plus test/ and scripts/*.ts: a test written against a stale
// signature fails here instead of passing at runtime through tsx, which strips types unchecked.
step('typecheck', () => {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json', '--noEmit'], { stdio: 'inherit', cwd: root });
});

// tap keeps one results file per test file it ever ran; a stale one (a renamed or deleted test)
// would be counted by scripts/tap-summary.mjs as if it belonged to this run.
rmSync(join(root, '.tap/test-results'), { recursive: true, force: true });
