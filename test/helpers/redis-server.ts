import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild } from './child-process.js';

/** Where Debian's `redis-server` package puts the binary (`scripts/test-setup.mjs` installs it). */
export const REDIS_SERVER_BIN = process.env['REDIS_SERVER_BIN'] ?? '/usr/bin/redis-server';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
  /** Stops and starts it again on the same port, with no data (no persistence). */
  restart(): Promise<void>;
  /** `SCRIPT FLUSH`: drops every cached Lua script, as a failover or an operator would. */
  flushScripts(): Promise<void>;
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Sends one RESP command with a simple-string reply (PING, SCRIPT FLUSH) and resolves with it. */
function rawCommand(port: number, args: readonly string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${args[0]} timed out`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(data);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function waitForPing(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    try {
      if ((await rawCommand(port, ['PING'], 500)).startsWith('+PONG')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

function spawnRedis(port: number, dir: string): ChildProcess {
  return spawn(
    REDIS_SERVER_BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
}

/**
 * Starts a real `redis-server` on a free loopback port with a temp dir and no persistence
 * (`--save '' --appendonly no`), and stops it when `t` tears down.
 */
export async function startRedisServer(t: Teardown): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER_BIN)) {
    throw new Error(`redis-server not found at ${REDIS_SERVER_BIN}. Run \`node scripts/test-setup.mjs\` (it installs Debian's redis-server) or \`apt-get install -y redis-server\`.`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'wj-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  // Another process may grab the probed port before redis binds it: try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const candidate = spawnRedis(port, dir);
    try {
      await waitForPing(port, candidate, Date.now() + 5000);
      child = candidate;
    } catch {
      await stopChild(candidate);
    }
  }
  if (!child) throw new Error('could not start redis-server on a free port');
  let current: ChildProcess = child;
  const killOnExit = (): void => {
    current.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    await stopChild(current);
  };
  const handle: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stopChild(current);
      const next = spawnRedis(port, dir);
      await waitForPing(port, next, Date.now() + 10_000);
      current = next;
    },
    async flushScripts() {
      await rawCommand(port, ['SCRIPT', 'FLUSH']);
    },
  };
  t.teardown(async () => {
    await stop();
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}
