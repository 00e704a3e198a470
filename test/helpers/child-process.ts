import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago (for servers that need their port on the command line). */
export function freePort(): Promise<number> {
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

/** Sends `signal` to a test server process and resolves once it exited, with SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Node flags for a child process that runs our TypeScript sources: this process's own flags, as
 * `child_process.fork` passes them, when they carry a TypeScript loader (under tap: its loader
 * and its coverage hooks), else `--import tsx`. The child must compile each file exactly as the
 * test process does: the coverage report merges raw V8 ranges by file before source-mapping, so
 * a child compiled by another loader made the gate count that file's functions twice or not at all.
 */
export function typescriptNodeArgs(): string[] {
  const flags = process.execArgv;
  return flags.some((flag) => flag.includes('typescript') || flag.includes('tsx') || flag.includes('ts-node')) ? [...flags] : ['--import', 'tsx'];
}

/** The TypeScript loader's settings from this environment (ts-node's TS_NODE_*, tap's TAP_TSCONFIG), for a child given a clean env. */
export function typescriptEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && (e[0].startsWith('TS_NODE_') || e[0] === 'TAP_TSCONFIG')));
}
