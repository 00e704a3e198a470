import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REDIS_SERVER_BIN } from './redis-server.js';

const run = promisify(execFile);
/** Debian's `redis-tools` (a dependency of `redis-server`) puts it here. */
const REDIS_CLI_BIN = process.env['REDIS_CLI_BIN'] ?? '/usr/bin/redis-cli';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestRedisCluster {
  /** `redis://127.0.0.1:<port>` of each master, the seeds for `redis: { cluster: [...] }`. */
  readonly urls: readonly string[];
  readonly ports: readonly number[];
  /** SIGKILLs master `index` (its slots then answer CLUSTERDOWN: there are no replicas). */
  kill(index: number): Promise<void>;
  /** Starts master `index` again on its port with its node file, so it rejoins with its slots. */
  revive(index: number): Promise<void>;
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

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI_BIN, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis cluster: ${what} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Starts a real 3-master Redis Cluster on free loopback ports (`redis-server --cluster-enabled yes`
 * × 3, then `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`), waits until every
 * node reports `cluster_state:ok`, and stops it when `t` tears down. `cluster-require-full-coverage no`
 * keeps the other masters serving while one is down (there are no replicas to take over). No persistence; each node's
 * cluster bus gets its own free port (`--cluster-port`), so nothing assumes port + 10000 is free.
 */
export async function startRedisCluster(t: Teardown): Promise<TestRedisCluster> {
  for (const bin of [REDIS_SERVER_BIN, REDIS_CLI_BIN]) {
    if (!existsSync(bin)) throw new Error(`${bin} not found: run \`node scripts/test-setup.mjs\` (it installs Debian's redis-server and redis-tools).`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'wj-redis-cluster-'));
  const nodes: { port: number; bus: number; child: ChildProcess }[] = [];
  const spawnNode = (port: number, bus: number): ChildProcess =>
    spawn(
      REDIS_SERVER_BIN,
      ['--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout', '2000', '--cluster-require-full-coverage', 'no', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
  const killAll = (): void => {
    for (const node of nodes) node.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  t.teardown(async () => {
    await Promise.all(nodes.map((node) => stopChild(node.child, 'SIGTERM')));
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    let bus = await freePort();
    while (bus === port) bus = await freePort();
    nodes.push({ port, bus, child: spawnNode(port, bus) });
  }
  for (const node of nodes) await until(`node ${node.port} answers PING`, async () => (await cli(node.port, 'PING')).startsWith('PONG'), 10_000);
  await run(REDIS_CLI_BIN, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
  const allOk = async (): Promise<boolean> => {
    for (const node of nodes) if (!(await cli(node.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
    return true;
  };
  await until('every node reports cluster_state:ok', allOk, 20_000);
  return {
    urls: nodes.map((n) => `redis://127.0.0.1:${n.port}`),
    ports: nodes.map((n) => n.port),
    async kill(index) {
      const node = nodes[index];
      if (node) await stopChild(node.child, 'SIGKILL');
    },
    async revive(index) {
      const node = nodes[index];
      if (!node) return;
      node.child = spawnNode(node.port, node.bus);
      await until('every node reports cluster_state:ok again', allOk, 20_000);
    },
  };
}
