#!/usr/bin/env node
// Runs the Rego unit tests: `opa test policies/ -v` with the pinned opa. `build/` is ignored
// because opa would otherwise load the built bundle in it as a second copy of the policies.
// Extra arguments are passed to `opa test` (e.g. `npm run policy:test -- --run matrix`).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureOpa } from './ensure-opa.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

try {
  const opa = ensureOpa();
  const result = spawnSync(opa, ['test', 'policies/', '-v', '--ignore', 'build', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
