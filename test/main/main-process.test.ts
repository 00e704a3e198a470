import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_BUNDLE, REPO_ROOT, makeKey } from '../helpers/gateway.js';
import { tsxChildEnv } from '../helpers/child-process.js';

interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Started {
  readonly child: ChildProcess;
  /** Everything written so far. */
  readonly out: { stdout: string; stderr: string };
  readonly exited: Promise<Exited>;
}

/** `node --import tsx proxy/main.ts <args>` from the repo root, as `npm start` runs it (minus the build). */
function startMain(t: { teardown(fn: () => unknown): void }, args: readonly string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: tsxChildEnv({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  const exited = new Promise<Exited>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, ...out })));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, out, exited };
}

/** Resolves with the first stdout JSON log line whose msg is `msg`. */
async function waitForLog(started: Started, msg: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of started.out.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed['msg'] === msg) return parsed;
    }
    if (started.child.exitCode !== null) throw new Error(`gateway exited (${started.child.exitCode}) before logging "${msg}":\n${started.out.stderr}`);
    if (Date.now() > deadline) throw new Error(`no "${msg}" log line within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A valid config on port 0 with the built-in demo provider (no upstream needed). */
function validYaml(dir: string, keySha: string, bundle = POLICY_BUNDLE): string {
  return `
server: { host: 127.0.0.1, port: 0 }
policy: { bundle: ${JSON.stringify(bundle)}, watchBundle: false }
audit: { dir: ${JSON.stringify(join(dir, 'data'))}, groupCommitMs: 1 }
tenants:
  - id: acme
    providers:
      demo: { type: demo }
    tiers:
      fast: { provider: demo, model: demo-fast }
    users: [{ id: alice, role: member }]
    apiKeys: [{ id: key-alice, user: alice, sha256: "${keySha}" }]
`;
}

// Each run is a fresh Node process loading TypeScript through tsx (a few seconds each), so every
// process starts at once here and the subtests below assert on their own one.
const dir = mkdtempSync(join(tmpdir(), 'wj-main-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const badConfig = file(
  'bad.yaml',
  `
server: { host: 127.0.0.1, port: "eighty" }
policy: { bundle: ${JSON.stringify(POLICY_BUNDLE)} }
audit: { dir: ${JSON.stringify(join(dir, 'data-bad'))} }
tenants:
  - id: acme
    providers:
      openai: { apiKey: sk-test, baseUrl: "http://127.0.0.1:9/v1" }
    tiers:
      fast: { provider: opneai, model: gpt-4o-mini }
    users: [{ id: alice, role: superuser }]
`,
);
const missingBundle = join(dir, 'nowhere', 'bundle.tar.gz');
const noBundleConfig = file('no-bundle.yaml', validYaml(join(dir, 'nb'), makeKey('k', 'alice').entry.sha256, missingBundle));
const absentConfig = join(dir, 'does-not-exist.yaml');
const viaFlagKey = makeKey('key-alice', 'alice');
const viaEnvKey = makeKey('key-alice', 'alice');

const runs = {
  mistakes: startMain(t, ['--config', badConfig]),
  missingBundle: startMain(t, ['--config', noBundleConfig]),
  absent: startMain(t, ['--config', absentConfig]),
  viaFlag: startMain(t, ['--config', file('flag.yaml', validYaml(join(dir, 'flag'), viaFlagKey.entry.sha256))]),
  viaEnv: startMain(t, [], { WORKJET_CONFIG: file('env.yaml', validYaml(join(dir, 'env'), viaEnvKey.entry.sha256)) }),
};

t.test('a config with three mistakes: all three reported with their paths, non-zero exit', async (t) => {
  const exit = await runs.mistakes.exited;
  t.not(exit.code, 0, 'non-zero exit');
  t.equal(exit.signal, null);
  t.match(exit.stderr, badConfig, 'names the file');
  t.match(exit.stderr, /server\.port: /, 'mistake 1: server.port');
  t.match(exit.stderr, /tenants\[0\]\.tiers\.fast\.provider: .*opneai/, 'mistake 2: the unknown provider, by path');
  t.match(exit.stderr, /tenants\[0\]\.users\[0\]\.role: /, 'mistake 3: the role');
  t.notOk(exit.stderr.includes('sk-test'), 'no provider key echoed');
  t.notOk(exit.stdout.includes('listening'), 'never started');
});

t.test('a missing policy bundle: a clear startup error naming the path, non-zero exit', async (t) => {
  const exit = await runs.missingBundle.exited;
  t.not(exit.code, 0);
  t.match(exit.stderr, missingBundle, 'the path is named');
  t.match(exit.stderr, /policy bundle not found/);
  t.match(exit.stderr, /policy:build/, 'says what to do');
  t.notOk(exit.stderr.includes('    at '), 'no stack trace for a known startup error');
});

t.test('an unreadable config file is reported by path', async (t) => {
  const exit = await runs.absent.exited;
  t.not(exit.code, 0);
  t.match(exit.stderr, absentConfig);
  t.match(exit.stderr, /cannot read the config file/);
});

async function servesAndStops(t: Test, started: Started, key: string): Promise<void> {
  const listening = await waitForLog(started, 'workjet gateway listening');
  const url = String(listening['url']);
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'logs its listening URL');
  t.not(url, 'http://127.0.0.1:0', 'a real port, not 0');
  t.same(listening['tenants'], ['acme']);
  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });
  const chat = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'Hello' }] }),
  });
  t.equal(chat.status, 200, 'serves a model request end to end');
  t.match(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, /Hello/);
  started.child.kill('SIGTERM');
  const exit = await started.exited;
  t.equal(exit.code, 0, 'exits 0 on SIGTERM');
  t.equal(exit.signal, null);
  t.match(exit.stdout, /"msg":"shutting down"/);
  t.notOk(exit.stdout.includes(key) || exit.stderr.includes(key), 'the key is never logged');
  await t.rejects(fetch(`${url}/healthz`), 'the port is closed');
}

t.test('a valid config on port 0 via --config: starts, logs its URL, serves, exits 0 on SIGTERM', async (t) => {
  await servesAndStops(t, runs.viaFlag, viaFlagKey.key);
});

t.test('WORKJET_CONFIG=FILE works as well as --config', async (t) => {
  await servesAndStops(t, runs.viaEnv, viaEnvKey.key);
});
