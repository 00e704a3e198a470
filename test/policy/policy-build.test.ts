// The build: the pinned opa, capabilities limited to what the JS WASM SDK can run (so an
// unsupported builtin fails at build, not at request time), tests kept out of the bundle, and
// rebuilds only when a source is newer than the bundle.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildPolicyBundle } from '../../scripts/policy-build.mjs';
import { ensureOpa, OPA_VERSION, opaVersionOf } from '../../scripts/ensure-opa.mjs';
import { readTar } from '../../proxy/policy/tar-reader.js';
import { buildInto, copyPolicies, REPO_ROOT, tempDir } from './policy-fixtures.js';

t.test('ensureOpa finds the pinned version', async (t) => {
  const opa = ensureOpa();
  t.equal(opaVersionOf(opa), OPA_VERSION);
  t.equal(OPA_VERSION, '1.22.3');
});

t.test('without opa or Go, ensureOpa fails naming the alternatives', async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // An opa at the wrong version is ignored, not used.
  writeFileSync(join(bin, 'opa'), '#!/bin/sh\necho "Version: 0.9.0"\n');
  chmodSync(join(bin, 'opa'), 0o755);
  const script = `import(${JSON.stringify(join(REPO_ROOT, 'scripts/ensure-opa.mjs'))}).then((m) => m.ensureOpa({ root: ${JSON.stringify(dir)} }))`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: bin } });
  t.not(result.status, 0);
  t.match(result.stderr, 'is 0.9.0');
  t.match(result.stderr, 'Go is not installed');
  t.match(result.stderr, 'openpolicyagent/opa:1.22.3');
  t.match(result.stderr, 'go install github.com/open-policy-agent/opa@v1.22.3');
  t.match(result.stderr, 'package manager');
});

t.test('capabilities: SDK builtins plus Rego v1, without what the SDK cannot run', async (t) => {
  await buildInto(copyPolicies(tempDir(t)));
  const caps = JSON.parse(readFileSync(join(REPO_ROOT, 'policies/build/capabilities.json'), 'utf8')) as { builtins: Array<{ name: string }>; features: string[] };
  const names = new Set(caps.builtins.map((b) => b.name));
  t.ok(caps.features.includes('rego_v1'));
  t.ok(names.has('concat') && names.has('graph.reachable') && names.has('sprintf'));
  t.same([...names].filter((n) => n.startsWith('time.') || n.startsWith('io.jwt.') || n.startsWith('http.') || n === 'rand.intn'), []);
});

t.test('a policy using an unsupported builtin fails at build', async (t) => {
  for (const [builtin, rego] of [
    ['time.now_ns', 'deny contains "late" if time.now_ns() > 0'],
    ['time.diff', 'deny contains "x" if time.diff(1, 2)'],
    ['io.jwt.decode', 'deny contains "x" if io.jwt.decode(input.token)'],
  ] as const) {
    const policies = copyPolicies(tempDir(t));
    writeFileSync(join(policies, 'extra.rego'), `package workjet.authz\n\n${rego}\n`);
    const err = await buildInto(policies).then(() => { throw new Error('expected the build to fail'); }, (e: unknown) => e as Error);
    t.type(err, Error, builtin);
    t.match(err.message, builtin);
    t.notOk(existsSync(join(policies, 'build/bundle.tar.gz')), 'no bundle was written');
  }
});

t.test('the bundle holds the WASM, the data, and no test files', async (t) => {
  const policies = copyPolicies(tempDir(t));
  // A test may use builtins the SDK lacks: tests never reach the bundle.
  writeFileSync(join(policies, 'clock_test.rego'), 'package workjet.authz_test\n\ntest_clock if time.now_ns() > 0\n');
  const bundle = await buildInto(policies);
  const files = readTar(gunzipSync(readFileSync(bundle)));
  t.ok(files.has('policy.wasm'));
  t.same(JSON.parse(files.get('data.json')?.toString('utf8') ?? '{}'), JSON.parse(readFileSync(join(policies, 'data.json'), 'utf8')));
  t.same([...files.keys()].filter((name) => name.endsWith('_test.rego')), []);
});

t.test('builds only when missing or stale, always with force', async (t) => {
  const policies = copyPolicies(tempDir(t));
  const outFile = join(policies, 'build/bundle.tar.gz');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, true, 'missing → built');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, false, 'fresh → skipped');
  // Make the bundle older than data.json.
  const past = new Date(statSync(join(policies, 'data.json')).mtimeMs - 60_000);
  utimesSync(outFile, past, past);
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, true, 'data.json newer → rebuilt');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, false);
  const future = new Date(Date.now() + 60_000);
  utimesSync(join(policies, 'models_test.rego'), future, future);
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, false, 'a test file change does not rebuild');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile, force: true })).built, true, 'force → built');
});

t.test('a deleted or renamed policy file makes the bundle stale, though every remaining file is older', async (t) => {
  const policies = copyPolicies(tempDir(t));
  const outFile = join(policies, 'build/bundle.tar.gz');
  const extra = join(policies, 'extra.rego');
  writeFileSync(extra, 'package workjet.extra\n\nanswer := 42\n');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, true, 'built with extra.rego');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, false, 'fresh → skipped');
  const past = new Date(Date.now() - 3_600_000);
  renameSync(extra, join(policies, 'renamed.rego'));
  utimesSync(join(policies, 'renamed.rego'), past, past);
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, true, 'renamed → rebuilt');
  rmSync(join(policies, 'renamed.rego'));
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, true, 'deleted → rebuilt');
  t.equal((await buildPolicyBundle({ policiesDir: policies, outFile })).built, false, 'then fresh again');
});
