import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';

export interface PolicySourceWatchOptions {
  /** Repository root: holds `scripts/policy-build.mjs` (and, by default, `policies/`). */
  readonly repoRoot: string;
  readonly logger: Logger;
  /** Defaults to `<repoRoot>/policies`. */
  readonly policiesDir?: string;
  /** Defaults to `<policiesDir>/build/bundle.tar.gz`: the bundle the engine watches. */
  readonly bundlePath?: string;
  readonly debounceMs?: number;
  /** Called after each build with its outcome (tests, metrics). */
  readonly onBuild?: (result: { ok: boolean; output: string }) => void;
}

function isSource(filename: string): boolean {
  if (filename.split(sep)[0] === 'build') return false;
  const name = basename(filename);
  return (name.endsWith('.rego') && !name.endsWith('_test.rego')) || name === 'data.json';
}

/**
 * `npm start -- --watch-policies`: rebuilds the policy bundle with opa whenever a `.rego` or
 * `data.json` under `policies/` changes (debounced; one build at a time, and one more if files
 * changed during it). The engine's bundle watcher then reloads the new bundle; a build error is
 * logged with opa's message and the old bundle keeps serving. Returns `stop()`.
 */
export function watchPolicySources(options: PolicySourceWatchOptions): () => void {
  const policiesDir = resolve(options.policiesDir ?? join(options.repoRoot, 'policies'));
  const bundlePath = resolve(options.bundlePath ?? join(policiesDir, 'build/bundle.tar.gz'));
  const script = join(resolve(options.repoRoot), 'scripts/policy-build.mjs');
  const { logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let child: ChildProcess | undefined;
  let pending = false;
  let stopped = false;

  const build = (): void => {
    if (stopped) return;
    if (child) {
      pending = true;
      return;
    }
    pending = false;
    const started = Date.now();
    let output = '';
    const proc = spawn(process.execPath, [script, '--force', '--policies', policiesDir, '--out', bundlePath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.on('close', (code) => {
      child = undefined;
      if (stopped) return;
      const ok = code === 0;
      if (ok) logger.info({ policiesDir, bundle: bundlePath, ms: Date.now() - started }, 'policy sources rebuilt');
      else logger.error({ policiesDir, output: output.trim() }, 'policy build failed; the loaded policy keeps serving');
      options.onBuild?.({ ok, output });
      if (pending) build();
    });
  };

  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(build, options.debounceMs ?? 150);
  };

  const watcher: FSWatcher = watch(policiesDir, { recursive: true }, (_event, filename) => {
    if (filename === null || isSource(filename)) schedule();
  });
  watcher.on('error', (err) => logger.error({ err, policiesDir }, 'policy source watcher failed'));
  logger.info({ policiesDir }, 'watching policy sources; edits rebuild the bundle');

  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher.close();
    if (child && child.pid !== undefined) child.kill();
  };
}
