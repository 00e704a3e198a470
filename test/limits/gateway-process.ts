import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, POLICY_BUNDLE } from '../helpers/gateway.js';

export interface GatewayProcess {
  readonly origin: string;
  readonly baseURL: string;
  readonly pid: number;
  /** The config file it was started with (a test may rewrite it and send SIGHUP). */
  readonly configFile: string;
  /** Every JSON log line it wrote to stdout so far. */
  readonly logs: readonly string[];
  /** Sends a signal to the process (e.g. SIGHUP to reload). */
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/**
 * Runs the gateway as its own OS process (`node --import tsx proxy/main.ts --config FILE`) on
 * port 0, as an operator would run several instances; resolves once it logged its address.
 */
export async function spawnGateway(t: { teardown(fn: () => unknown): void }, raw: Record<string, unknown>, extraArgs: readonly string[] = []): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'wj-gwp-'));
  const config = {
    ...raw,
    logging: { level: 'info' },
    server: { host: '127.0.0.1', port: 0 },
    policy: { bundle: POLICY_BUNDLE, watchBundle: false },
    audit: { dir: join(dir, 'data'), groupCommitMs: 1 },
  };
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'proxy/main.ts'), '--config', file, ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  let stderr = '';
  const logs: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  const origin = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`gateway process did not start in 60 s: ${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway process exited with ${code}: ${stderr}`));
    });
    // Keep draining stdout for the whole life of the process (request logs), else it blocks.
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        logs.push(line);
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'workjet gateway listening' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      }
    });
  });
  return { origin, baseURL: `${origin}/v1`, pid: child.pid ?? 0, configFile: file, logs, signal: (name) => void child.kill(name), stop };
}
