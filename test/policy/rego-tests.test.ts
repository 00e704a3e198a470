// `npm run policy:test` (opa test over policies/, including the full role × action × tenant
// matrix) is part of `npm test`.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './policy-fixtures.js';

// opa's default per-test timeout (5 s) is tight when the whole suite runs in parallel.
const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/policy-test.mjs'), '--timeout', '60s'], { cwd: REPO_ROOT, encoding: 'utf8' });
const failures = result.stdout.split('\n').filter((l) => l.includes('FAIL') || l.includes('ERROR') || l.includes('mismatches'));
t.equal(result.status, 0, failures.join('\n') || `opa test exited ${result.status}: ${result.stderr.slice(-2000)}`);
const summary = /PASS: (\d+)\/(\d+)/.exec(result.stdout);
t.ok(summary, 'opa test printed its summary');
t.equal(summary?.[1], summary?.[2], 'every Rego test passed');
t.ok(Number(summary?.[2]) >= 40, 'the Rego suite ran');
t.match(result.stdout, 'test_matrix_every_role_action_tenant: PASS');
