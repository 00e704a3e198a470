// The same cases through the built WASM (as the gateway runs it: the bundle's evaluator on the
// SDK's instance)
// and through the opa CLI's Go evaluator: every decision must be identical. One `opa eval` over a
// data file of all cases, not one process per case.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureOpa } from '../../scripts/ensure-opa.mjs';
import { loadBundleFile } from '../../proxy/policy/bundle-loader.js';
import { POLICY_ACTIONS } from '../../proxy/policy/actions.js';
import { defaultBundle, POLICIES_DIR, REPO_ROOT, tempDir } from './policy-fixtures.js';
import { edgeCases, matrixCases, ROLES, TENANTS } from './policy-cases.js';

const cases = [...matrixCases(), ...edgeCases()];
const bundle = await loadBundleFile(await defaultBundle(), { maxMemoryPages: 1024 });
const data = JSON.parse(readFileSync(join(POLICIES_DIR, 'data.json'), 'utf8')) as { business_hours: Record<string, unknown> };

function wasmDecisions(): unknown[] {
  return cases.map((c) => {
    const resultSet = bundle.evaluate(JSON.stringify(c.input)) as Array<{ result: unknown }>;
    return resultSet.length === 1 ? resultSet[0]?.result : undefined;
  });
}

const defaultWasm = wasmDecisions();
bundle.policy.setData({ ...data, business_hours: { ...data.business_hours, enabled: true } });
const hoursWasm = wasmDecisions();
bundle.policy.setData(data);

const dir = tempDir(t);
writeFileSync(join(dir, 'cases.json'), JSON.stringify({ parity_cases: cases.map((c) => c.input) }));
const decide = 'd := data.workjet.authz.decision with input as c';
const query = `{"default": {i: d | some i, c in data.parity_cases; ${decide}}, "hours": {i: d | some i, c in data.parity_cases; ${decide} with data.business_hours.enabled as true}}`;
const stdout = execFileSync(
  ensureOpa(),
  ['eval', '--format', 'json', '--ignore', 'build', '--ignore', '*_test.rego', '-d', 'policies', '-d', join(dir, 'cases.json'), query],
  { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
const evaluated = (JSON.parse(stdout) as { result: Array<{ expressions: Array<{ value: Record<'default' | 'hours', Record<string, unknown>> }> }> }).result[0]?.expressions[0]?.value;
if (!evaluated) throw new Error(`opa eval returned no value: ${stdout.slice(0, 500)}`);
const cli = evaluated;

for (const [variant, wasm] of [['default', defaultWasm], ['hours', hoursWasm]] as const) {
  t.test(`${variant} data: WASM and opa eval agree on all ${cases.length} cases`, async (t) => {
    const mismatches = cases.flatMap((c, i) => {
      const fromCli = cli[variant][String(i)];
      return JSON.stringify(fromCli) === JSON.stringify(wasm[i]) ? [] : [{ case: c.name, wasm: wasm[i], cli: fromCli }];
    });
    t.same(mismatches, [], 'no case decides differently');
    t.equal(Object.keys(cli[variant]).length, cases.length, 'opa eval decided every case');
    t.ok(wasm.every((d) => d !== undefined), 'WASM decided every case');
  });
}

t.test('the matrix covers every role × action × tenant and decides as DESIGN.md lists', async (t) => {
  const member = new Set(['model.invoke', 'model.list', 'skills.read', 'skills.write', 'marketplace.browse', 'marketplace.install']);
  const ownerOnly = new Set(['budget.read', 'budget.write', 'provider_keys.write', 'roles.owner.write']);
  const allowedFor = (role: string, action: string): boolean =>
    role === 'owner' || (role === 'admin' ? !ownerOnly.has(action) : member.has(action));
  const matrix = matrixCases();
  t.equal(matrix.length, ROLES.length * POLICY_ACTIONS.length * TENANTS.length);
  const wrong = matrix.flatMap((c, i) => {
    const { principal, action, resource } = c.input as { principal: { role: string }; action: string; resource: { tenant: string } };
    const want = resource.tenant === 'acme' && allowedFor(principal.role, action);
    return (defaultWasm[i] as { allow: boolean }).allow === want ? [] : [c.name];
  });
  t.same(wrong, []);
});
