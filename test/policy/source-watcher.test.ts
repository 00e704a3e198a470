// The policy author's loop: with --watch-policies, editing a .rego rebuilds the bundle and the
// running engine's next decision changes, without a restart. A broken edit keeps the last good policy.
import t from 'tap';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyEngine } from '../../proxy/policy/policy-engine.js';
import { watchPolicySources } from '../../proxy/policy/source-watcher.js';
import { buildInto, captureLogger, copyPolicies, matrixInput, REPO_ROOT, tempDir } from './policy-fixtures.js';

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('editing a .rego changes the next decision without a restart', async (t) => {
  const policies = copyPolicies(tempDir(t));
  const bundlePath = await buildInto(policies);
  const { logger, lines } = captureLogger();
  const engine = await PolicyEngine.load({ bundlePath, logger });
  engine.watch({ debounceMs: 20, pollMs: 200 });
  t.teardown(() => engine.close());
  const builds: boolean[] = [];
  const stop = watchPolicySources({ repoRoot: REPO_ROOT, logger, policiesDir: policies, bundlePath, debounceMs: 50, onBuild: (r) => builds.push(r.ok) });
  t.teardown(stop);

  const probe = matrixInput('member', 'model.invoke', 'acme');
  t.equal(engine.decide(probe).allow, true, 'allowed before the edit');

  appendFileSync(join(policies, 'models.rego'), '\ndeny contains "model calls are paused" if input.action == "model.invoke"\n');
  await waitFor(() => !engine.decide(probe).allow, 'the edited policy to take effect');
  t.same(engine.decide(probe).reasons, ['model calls are paused']);
  // The engine can pick the renamed bundle up before the build process has exited.
  await waitFor(() => builds.includes(true), 'the build to report');
  t.ok(builds.length >= 1 && builds.every(Boolean), 'the edit built');
  t.ok(lines.some((l) => l['msg'] === 'policy sources rebuilt'), 'the rebuild is logged');
  t.ok(lines.some((l) => l['msg'] === 'policy bundle reloaded'), 'the reload is logged');

  const revision = engine.revision;
  appendFileSync(join(policies, 'models.rego'), '\nthis is not rego\n');
  await waitFor(() => builds.includes(false), 'the failing build');
  t.ok(lines.some((l) => l['msg'] === 'policy build failed; the loaded policy keeps serving' && String(l['output']).includes('rego_parse_error')));
  t.equal(engine.revision, revision, 'the last good bundle keeps serving');
  t.same(engine.decide(probe).reasons, ['model calls are paused']);
});
