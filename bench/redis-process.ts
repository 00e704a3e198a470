import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { trackChild, untrackChild } from './spawn-target.js';

export interface RedisProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env['BENCH_REDIS_SERVER'] ?? '/usr/bin/redis-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => done(data.toString('latin1').startsWith('+PONG')));
  });
}

/** Starts a throw-away redis-server (no persistence) on a free port of 127.0.0.1 and waits for PONG. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  trackChild(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    untrackChild(child);
  };
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    const ready = await Promise.race([ping(port), spawnError]);
    if (ready && child.pid !== undefined) return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`redis-server (${REDIS_SERVER}) did not start on port ${port}${stderr ? `: ${stderr}` : ''}`);
}
