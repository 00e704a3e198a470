import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the bench entries (`run.ts`, `streams.ts`) find their child scripts and the repository.
 * Normally compiled (dist/bench/*.js, so the gateway is measured as `npm start` runs it); from
 * source (`npx tsx bench/run.ts`) the children run from source too, through tsx.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
export const FROM_SOURCE = import.meta.url.endsWith('.ts');
export const REPO_ROOT = FROM_SOURCE ? join(HERE, '..') : join(HERE, '../..');
// Resolved here because a child's cwd may be a temp dir, where a bare `--import tsx` would not resolve.
export const TSX_IMPORT: readonly string[] = ['--import', import.meta.resolve('tsx')];
export const CHILD_EXEC_ARGV: readonly string[] = FROM_SOURCE ? TSX_IMPORT : [];
export const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
export const POLICY_BUNDLE = join(REPO_ROOT, 'policies/build/bundle.tar.gz');

/** Path of a child entry (`passthrough-target`, `gateway-target`, …) in this run's form. */
export function childScript(name: string): string {
  return join(HERE, `${name}${FROM_SOURCE ? '.ts' : '.js'}`);
}
