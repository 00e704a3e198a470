import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root, for CLI scripts and shipped config files. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

// The parent's environment is kept so tap's coverage hooks (NODE_OPTIONS, NODE_V8_COVERAGE)
// follow the child; the variables the CLIs read come only from the test.
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.WORKJET_CONFIG;
  return { ...env, ...extra };
}

/**
 * Runs a CLI script as users do (a real process through tsx) with `env` added to its
 * environment. Each start costs about a second, so tests start independent runs together.
 */
export function runCli(script: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
      cwd: root,
      env: childEnv(options.env ?? {}),
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
