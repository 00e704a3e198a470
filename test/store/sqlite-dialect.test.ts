// The SQLite store's transactions across processes. Several processes writing one file at the
// same instant (two operators running the tenants CLI at once, or the CLI while a gateway
// migrates and applies its YAML at start): every write either succeeds or fails with its real
// domain error ("already exists"), never with SQLite's "database is locked". Write transactions
// begin IMMEDIATE, so a writer waits out busy_timeout for the other instead of failing on a
// deferred transaction's read→write upgrade; reads stay deferred and do not wait for a writer.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { parseConfig } from '../../proxy/config/load-config.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { openTenantStore } from '../../proxy/store/open-store.js';
import { tsxChildEnv } from '../helpers/child-process.js';

const WRITER = fileURLToPath(new URL('./fixtures/sqlite-writer.ts', import.meta.url));
const PROCESSES = 4;
const IDS = Array.from({ length: 24 }, (_, i) => `tenant-${i}`);

interface Writer {
  /** Resolves once the child has loaded everything and is waiting for the start file. */
  ready: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startWriter(config: string, startFile: string, ids: string[]): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, config, startFile, ...ids], { env: tsxChildEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (stdout.startsWith('ready\n')) resolve();
    });
    void done.then(() => reject(new Error(`writer exited before it was ready: ${stderr}`)), reject);
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return { ready, done };
}

const YAML_TENANT = { id: 'acme', users: [{ id: 'alice', role: 'owner' as const }] };

/** Starts the writers together on the store of `dir` and checks what each create met. */
async function race(t: Test, dir: string): Promise<void> {
  const config = join(dir, 'gateway.yaml');
  writeFileSync(config, `audit: { dir: ${JSON.stringify(dir)} }\ntenants: ${JSON.stringify([YAML_TENANT])}\n`);
  const startFile = join(dir, 'start');
  // Each process goes through every id, from its own starting point: mostly writes of different
  // tenants at the same moment, and every id still raced by every process.
  const writers = Array.from({ length: PROCESSES }, (_, i) => {
    const from = (i * IDS.length) / PROCESSES;
    return startWriter(config, startFile, [...IDS.slice(from), ...IDS.slice(0, from)]);
  });
  // Past tsx's startup every child polls for the start file; they all begin at the same moment.
  await Promise.all(writers.map((w) => w.ready));
  writeFileSync(startFile, '');
  const outcomes = (await Promise.all(writers.map((w) => w.done))).map((w, i) => {
    t.equal(w.code, 0, `writer ${i} exits 0`, { stderr: w.stderr });
    return JSON.parse(w.stdout.slice('ready\n'.length)) as Record<string, string>;
  });

  const failures = outcomes.flatMap((o, i) => Object.entries(o).filter(([, v]) => v !== 'created' && v !== 'exists').map(([id, v]) => `writer ${i} ${id}: ${v}`));
  t.same(failures, [], 'every create either succeeds or meets "already exists" (no "database is locked")');
  for (const id of IDS) {
    t.equal(outcomes.filter((o) => o[id] === 'created').length, 1, `${id} is created by exactly one process`);
  }
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'wj-sqlite-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test(`${PROCESSES} processes create the same tenants on one fresh SQLite file at once (each migrates it)`, async (t) => {
  await race(t, tempDir(t));
});

t.test(`${PROCESSES} processes create the same tenants on one migrated SQLite file at once`, async (t) => {
  const dir = tempDir(t);
  await (await openTenantStore({ config: parseConfig({ audit: { dir }, tenants: [YAML_TENANT] }), logger: createLogger({ level: 'silent' }) })).close();
  await race(t, dir);
});

t.test("a read does not wait for another process's open write transaction", async (t) => {
  const dir = tempDir(t);
  const store = await openTenantStore({ config: parseConfig({ audit: { dir }, tenants: [YAML_TENANT] }), logger: createLogger({ level: 'silent' }) });
  t.teardown(() => store.close());
  // Another connection (as another process would) holds the write lock with a change not yet committed.
  const other = new Database(join(dir, 'workjet.db'));
  t.teardown(() => other.close());
  other.exec('begin immediate');
  other.prepare("update tenants set plan = 'enterprise' where id = 'acme'").run();
  const started = Date.now();
  const scope = mintTenantScope('acme');
  t.match(await store.tenants.get(scope), { id: 'acme', plan: 'team' }, 'the read sees the last committed state');
  t.match(await store.users.list(scope), [{ id: 'alice', role: 'owner' }]);
  t.ok(Date.now() - started < 2000, `answered at once (${Date.now() - started} ms), not after busy_timeout`);
  other.exec('rollback');
});
