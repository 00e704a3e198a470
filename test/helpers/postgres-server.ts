import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Where Debian's `postgresql-15` package puts initdb, postgres and pg_dump (`scripts/test-setup.mjs` installs it). */
export const POSTGRES_BIN = process.env['POSTGRES_BIN'] ?? '/usr/lib/postgresql/15/bin';
/** PostgreSQL refuses to run as root: tests run it as this system user (created on first use). */
export const POSTGRES_OS_USER = 'workjet-pg';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestPostgres {
  readonly port: number;
  /** The superuser's URL of a database (`postgres` by default). */
  url(database?: string): string;
  /** Creates a fresh database and returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL as the superuser in `database` and returns the rows. */
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** Runs a binary of the PostgreSQL install (pg_dump…) as the server's OS user; returns stdout. */
  run(binary: string, args: readonly string[]): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The uid/gid to run PostgreSQL as: ours when not root, else the `workjet-pg` system user (created once). */
function osUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => spawnSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    // Parallel test files may race to create it; the second useradd fails and the lookup below decides.
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_OS_USER], { stdio: 'ignore' });
  }
  const uid = Number(lookup().stdout.trim());
  const gid = Number(spawnSync('id', ['-g', POSTGRES_OS_USER], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || uid === 0) throw new Error(`cannot create or find the OS user ${POSTGRES_OS_USER} to run PostgreSQL as`);
  return { uid, gid };
}

async function waitReady(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}`);
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`postgres on port ${port} did not accept connections`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    // SIGINT: PostgreSQL's "fast" shutdown (disconnects clients, no wait).
    child.kill('SIGINT');
  });
}

/**
 * Starts a real PostgreSQL 15 (initdb into a temp dir, then the server on a free loopback
 * port, fsync off) as a non-root user, and stops and removes it when `t` tears down. The
 * superuser is `postgres` with trust authentication on 127.0.0.1 only.
 */
export async function startPostgresServer(t: Teardown): Promise<TestPostgres> {
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL not found at ${POSTGRES_BIN}. Run \`node scripts/test-setup.mjs\` (it installs Debian's postgresql) or \`apt-get install -y postgresql\`.`);
  }
  const user = osUser();
  const dir = mkdtempSync(join(tmpdir(), 'wj-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(join(POSTGRES_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], { ...asUser, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const candidate = spawn(
      join(POSTGRES_BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'],
      { ...asUser, stdio: 'ignore' },
    );
    try {
      await waitReady(port, candidate, Date.now() + 15_000);
      child = candidate;
    } catch {
      await stopChild(candidate);
    }
  }
  if (!child) throw new Error('could not start postgres on a free port');
  const server = child;
  const killOnExit = (): void => {
    server.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const query = async <R extends object>(text: string, params: unknown[] = [], database = 'postgres'): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const stop = () => stopChild(server);
  t.teardown(async () => {
    await stop();
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    port,
    url,
    query,
    async createDatabase(name) {
      await query(`create database "${name}"`);
      return url(name);
    },
    run(binary, args) {
      const out = spawnSync(join(POSTGRES_BIN, binary), [...args], { ...asUser, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (out.status !== 0) throw new Error(`${binary} failed: ${out.stderr}`);
      return out.stdout;
    },
    stop,
  };
}
