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
 * The environment for a child that runs our sources through tsx: this process's (or `base`),
 * with tap's coverage collection off in the child. Tests run under tap's own TypeScript loader;
 * a tsx child compiles the same file to different code, and the coverage report merges raw V8
 * ranges per file before source-mapping, so every file a child loaded was counted twice (a
 * second, mostly uncovered copy of its functions) or not at all. tsx-compiled coverage maps to
 * nothing in the report anyway, so the child's coverage added nothing but that damage.
 */
export function tsxChildEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, _TAPJS_PROCESSINFO_COVERAGE_: '0' };
}
