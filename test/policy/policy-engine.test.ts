// The engine fails closed: missing/corrupt bundles at start are startup errors, a bundle that
// breaks at runtime leaves the old policy serving, and an evaluation that throws or yields no
// decision is a 500 policy_error — never an allow.
import t from 'tap';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PolicyBundleError, PolicyEngine, PolicyError, type ReloadEvent } from '../../proxy/policy/policy-engine.js';
import { buildPolicyInput } from '../../proxy/policy/policy-input.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import type { Principal } from '../../proxy/core/vocabulary.js';
import { buildInto, captureLogger, copyPolicies, defaultBundle, matrixInput, tempDir, tinyBundle } from './policy-fixtures.js';

const bundle = await defaultBundle();

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What `fn` throws (undefined when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

const member: Principal = { type: 'api_key', id: 'key-bob', user: 'bob', role: 'member', tenantId: 'acme', plan: 'team', scope: mintTenantScope('acme') };

t.test('missing bundle at start is a startup error naming the path and the build command', async (t) => {
  const path = join(tempDir(t), 'nope/bundle.tar.gz');
  const { logger } = captureLogger();
  await t.rejects(PolicyEngine.load({ bundlePath: path, logger }), PolicyBundleError);
  const err = await PolicyEngine.load({ bundlePath: path, logger }).then(() => { throw new Error('expected the load to fail'); }, (e: unknown) => e as Error);
  t.match(err.message, path);
  t.match(err.message, 'npm run policy:build');
});

t.test('corrupt bundle at start is a startup error', async (t) => {
  const dir = tempDir(t);
  const cases: Array<[string, Buffer, string]> = [
    ['garbage', Buffer.from('definitely not a bundle'), 'gzip'],
    ['gzip of garbage', gzipSync(Buffer.from('x'.repeat(2000))), 'tar'],
    ['tar without policy.wasm', gzipSync(Buffer.alloc(1024)), 'policy.wasm'],
  ];
  for (const [name, bytes, reason] of cases) {
    const path = join(dir, `${name.replaceAll(' ', '-')}.tar.gz`);
    writeFileSync(path, bytes);
    const err = await PolicyEngine.load({ bundlePath: path, logger: captureLogger().logger }).then(() => { throw new Error('expected the load to fail'); }, (e: unknown) => e as Error);
    t.type(err, PolicyBundleError, name);
    t.match(err.message, path, `${name}: names the path`);
    t.match(err.message, reason, `${name}: says why`);
  }
});

t.test('decisions carry a fresh UUIDv7 id and the policy reasons', async (t) => {
  const engine = await PolicyEngine.load({ bundlePath: bundle, logger: captureLogger().logger });
  const a = engine.decide(matrixInput('member', 'model.invoke', 'acme'));
  const b = engine.decide(matrixInput('member', 'keys.write', 'acme'));
  t.match(a.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.not(a.id, b.id);
  t.ok(a.id < b.id, 'ids are time-sortable');
  t.same(a, { id: a.id, allow: true, reasons: ['role member grants model.invoke'], wouldDeny: false });
  t.same(b.reasons, ['role member does not grant keys.write']);
  t.equal(b.allow, false);
  t.equal(engine.stats.decisions, 2);
});

t.test('an input repeated within its second is evaluated once; any other input is evaluated', async (t) => {
  const engine = await PolicyEngine.load({ bundlePath: bundle, logger: captureLogger().logger });
  const invoke = matrixInput('member', 'model.invoke', 'acme');
  const first = engine.decide(invoke);
  const again = engine.decide({ ...invoke });
  t.equal(engine.stats.evaluations, 1, 'the repeat did not run the policy');
  t.equal(engine.stats.decisions, 2);
  t.not(again.id, first.id, 'every decision still gets its own id');
  t.same(again, { ...first, id: again.id });
  t.ok(Object.isFrozen(again.reasons), 'a shared decision cannot be changed by one request');

  const denied = matrixInput('member', 'keys.write', 'acme');
  t.equal(engine.decide(denied).allow, false);
  t.equal(engine.decide(denied).allow, false, 'a remembered deny stays a deny');
  t.equal(engine.stats.evaluations, 2);

  const variants = [
    { ...invoke, request: { ...invoke.request, time: '2026-11-28T14:05:01Z' } },
    { ...invoke, principal: { ...invoke.principal, user: 'bob' } },
    { ...invoke, request: { ...invoke.request, ip: '10.0.0.9' } },
    matrixInput('member', 'model.invoke', 'globex'),
  ];
  for (const input of variants) engine.decide(input);
  t.equal(engine.stats.evaluations, 6, 'another second, user, address or tenant is evaluated');
  t.equal(engine.decide(matrixInput('member', 'model.invoke', 'globex')).allow, false, 'the cross-tenant deny is what is remembered');
});

t.test('forged cross-tenant inputs are denied by the policy itself', async (t) => {
  const engine = await PolicyEngine.load({ bundlePath: bundle, logger: captureLogger().logger });
  const owner: Principal = { ...member, role: 'owner', id: 'key-alice', user: 'alice' };
  for (const action of ['model.invoke', 'keys.read', 'keys.write', 'budget.write', 'provider_keys.write', 'skills.read'] as const) {
    const input = buildPolicyInput({ action, principal: owner, resource: { type: 'key', id: 'k-9', tenant: 'globex' }, method: 'GET', path: '/admin/v1/keys/k-9', ip: '127.0.0.1', time: new Date() });
    const decision = engine.decide(input);
    t.equal(decision.allow, false, `${action} on globex's resource`);
    t.ok(decision.reasons.includes('resource belongs to another tenant'));
  }
  const forged = { ...matrixInput('owner', 'keys.write', 'globex'), tenant: { id: 'globex', plan: 'enterprise' } };
  const decision = engine.decide(forged);
  t.equal(decision.allow, false, 'claiming the other tenant in input.tenant does not help');
  t.ok(decision.reasons.includes("request tenant differs from the principal's tenant"));
});

t.test('an undefined decision is a policy_error, never an allow', async (t) => {
  const path = await tinyBundle(t, 'decision := {"allow": true, "reasons": []} if input.action == "ok"');
  const { logger, lines } = captureLogger();
  const engine = await PolicyEngine.load({ bundlePath: path, logger });
  t.equal(engine.decide({ ...matrixInput('owner', 'model.invoke', 'acme'), action: 'ok' as 'model.invoke' }).allow, true, 'defined when the rule matches');
  const err = thrown(() => engine.decide(matrixInput('owner', 'model.invoke', 'acme')));
  t.type(err, PolicyError);
  const policyError = err as PolicyError;
  t.equal(policyError.code, 'policy_error');
  t.equal(policyError.status, 500);
  t.equal(policyError.headers['x-workjet-decision-id'], policyError.decisionId);
  t.match(policyError.message, policyError.decisionId);
  t.equal(engine.stats.evaluationErrors, 1);
  t.ok(lines.some((l) => l['msg'] === 'policy evaluation failed; denying' && l['decisionId'] === policyError.decisionId));
});

t.test('an evaluation that throws is a policy_error', async (t) => {
  // Two complete definitions that disagree: opa-wasm aborts with a conflict error.
  const path = await tinyBundle(t, ['decision := {"allow": true, "reasons": []} if input.x', 'decision := {"allow": false, "reasons": []} if input.y'].join('\n'));
  const engine = await PolicyEngine.load({ bundlePath: path, logger: captureLogger().logger });
  t.type(thrown(() => engine.decide({ ...matrixInput('owner', 'model.invoke', 'acme'), x: true, y: true } as never)), PolicyError);
  t.equal(engine.decide({ ...matrixInput('owner', 'model.invoke', 'acme'), x: true } as never).allow, true, 'the instance still works after an abort');
});

t.test('a malformed decision is a policy_error', async (t) => {
  for (const rego of ['decision := {"allow": "yes", "reasons": []}', 'decision := true', 'decision := {"allow": true, "reasons": [1]}', 'decision := {"allow": true}']) {
    const engine = await PolicyEngine.load({ bundlePath: await tinyBundle(t, rego), logger: captureLogger().logger });
    t.type(thrown(() => engine.decide(matrixInput('owner', 'model.invoke', 'acme'))), PolicyError, rego);
  }
});

t.test('WASM memory is capped', async (t) => {
  const { logger } = captureLogger();
  await t.rejects(PolicyEngine.load({ bundlePath: bundle, logger, maxMemoryPages: 1 }), PolicyBundleError, 'a cap below what the module needs fails at start');
  const engine = await PolicyEngine.load({ bundlePath: bundle, logger, maxMemoryPages: 40 });
  const huge = { ...matrixInput('owner', 'model.invoke', 'acme'), padding: 'x'.repeat(4 * 1024 * 1024) };
  t.type(thrown(() => engine.decide(huge as never)), PolicyError, 'an input beyond the cap fails closed');
  t.equal(engine.decide(matrixInput('member', 'model.invoke', 'acme')).allow, true, 'and the engine keeps working');
});

t.test('inputs that grow WASM memory or carry non-ASCII text decide exactly', async (t) => {
  const engine = await PolicyEngine.load({ bundlePath: bundle, logger: captureLogger().logger });
  const big = { ...matrixInput('member', 'model.invoke', 'acme'), padding: 'é'.repeat(1024 * 1024) };
  t.equal(engine.decide(big as never).allow, true, 'a 2 MiB input (beyond the initial memory) is decided');
  const odd = matrixInput('member', 'model.invoke', 'acme');
  const decision = engine.decide({ ...odd, principal: { ...odd.principal, role: 'ädmin-😀' } } as never);
  t.equal(decision.allow, false);
  t.ok(decision.reasons.includes('unknown role ädmin-😀'), `the reason names the role byte for byte: ${decision.reasons.join('; ')}`);
  t.equal(engine.decide(odd).allow, true, 'a small input after a big one still decides');
});

t.test('a corrupt bundle at runtime keeps the old policy; a good one swaps in', async (t) => {
  const dir = tempDir(t);
  const live = join(dir, 'bundle.tar.gz');
  copyFileSync(bundle, live);
  const { logger, lines } = captureLogger();
  const events: ReloadEvent[] = [];
  const engine = await PolicyEngine.load({ bundlePath: live, logger, onReload: (e) => events.push(e) });
  t.teardown(() => engine.close());
  engine.watch({ debounceMs: 20, pollMs: 100 });
  const original = engine.revision;
  const probe = matrixInput('member', 'model.invoke', 'acme');

  t.equal((await engine.reload()).result, 'unchanged', 'an unchanged file is not reloaded');

  writeFileSync(live, readFileSync(bundle).subarray(0, 1000));
  await waitFor(() => events.length >= 1, 'the failed reload');
  t.equal(events[0]?.result, 'failed');
  t.match(events[0]?.error?.message ?? '', /gzip|tar|truncat|unexpected end/i);
  t.equal(engine.revision, original, 'the old bundle still serves');
  t.equal(engine.decide(probe).allow, true);
  t.equal(engine.stats.reloadFailures, 1);
  t.ok(lines.some((l) => l['msg'] === 'policy bundle reload failed; keeping the loaded policy'));
  t.equal((await engine.reload()).result, 'failed', 'the same broken bytes are not loaded again');
  t.equal(engine.stats.reloadFailures, 1, '…nor counted again');

  // A new policy that denies every model call, built from a copy of the sources.
  const sources = copyPolicies(tempDir(t));
  writeFileSync(join(sources, 'freeze.rego'), 'package workjet.authz\n\ndeny contains "model calls are frozen" if input.action == "model.invoke"\n');
  const frozen = await buildInto(sources);
  copyFileSync(frozen, live);
  await waitFor(() => events.length >= 2, 'the reload');
  t.equal(events[1]?.result, 'reloaded');
  t.not(engine.revision, original);
  t.same(engine.decide(probe).reasons, ['model calls are frozen']);
  t.equal(engine.stats.reloads, 1);
  t.ok(lines.some((l) => l['msg'] === 'policy bundle reloaded'));
});

t.test('a bundle that fails its canary evaluation is rejected on reload', async (t) => {
  const dir = tempDir(t);
  const live = join(dir, 'bundle.tar.gz');
  copyFileSync(bundle, live);
  const engine = await PolicyEngine.load({ bundlePath: live, logger: captureLogger().logger });
  // Conflicting definitions for the canary's action: loads, but its first evaluation aborts.
  const broken = await tinyBundle(t, ['decision := {"allow": true, "reasons": []} if input.action == "model.list"', 'decision := {"allow": false, "reasons": []} if input.resource.type == "models"'].join('\n'));
  copyFileSync(broken, live);
  const event = await engine.reload();
  t.equal(event.result, 'failed');
  t.equal(engine.decide(matrixInput('member', 'model.invoke', 'acme')).allow, true, 'old policy serving');
});
