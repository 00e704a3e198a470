// The cases the WASM parity test runs through both evaluators: the full role × action × tenant
// matrix plus the rules' edge cases and malformed / forged inputs.
import { POLICY_ACTIONS } from '../../proxy/policy/actions.js';
import { matrixInput, modelInput } from './policy-fixtures.js';

export interface ParityCase {
  readonly name: string;
  /** Any JSON: malformed inputs are part of the point. */
  readonly input: unknown;
}

export const ROLES = ['member', 'admin', 'owner'] as const;
export const TENANTS = ['acme', 'globex'] as const;

export function matrixCases(): ParityCase[] {
  const out: ParityCase[] = [];
  for (const role of ROLES) {
    for (const action of POLICY_ACTIONS) {
      for (const tenant of TENANTS) out.push({ name: `matrix ${role} ${action} ${tenant}`, input: matrixInput(role, action, tenant) });
    }
  }
  return out;
}

function skillCase(action: string, role: string, published: unknown): unknown {
  return {
    action,
    principal: { type: 'session', id: 'session:s1', user: 'bob', role, tenant: 'acme' },
    resource: { type: 'skill', id: 'sk-1', tenant: 'globex', published, owner: 'carol' },
    tenant: { id: 'acme', plan: 'team' },
    request: { method: 'GET', path: '/admin/v1/marketplace', ip: '10.0.0.1', time: '2026-11-28T14:05:00Z' },
  };
}

export function edgeCases(): ParityCase[] {
  const out: ParityCase[] = [];
  for (const action of ['marketplace.browse', 'skills.read', 'marketplace.install', 'skills.write', 'skills.publish']) {
    for (const published of [true, false, 'true', null]) out.push({ name: `skill ${action} published=${String(published)}`, input: skillCase(action, 'member', published) });
  }
  const times = ['2026-11-28T07:59:59Z', '2026-11-28T08:00:00Z', '2026-11-28T19:59:59Z', '2026-11-28T20:00:00Z', '2026-11-28T14:05:00+02:00', 'soon', ''];
  for (const role of ROLES) {
    for (const time of times) out.push({ name: `smart ${role} ${time}`, input: modelInput(role, 'team', { id: 'smart', tags: [] }, time) });
  }
  for (const plan of ['free', 'team', 'enterprise', 'unknown']) {
    out.push({ name: `direct model on ${plan}`, input: modelInput('member', plan, { type: 'model', id: 'openai/gpt-4o', provider: 'openai', model: 'gpt-4o' }, '2026-11-28T12:00:00Z') });
    out.push({ name: `cheap tier on ${plan}`, input: modelInput('member', plan, { tags: ['cheap', 'fast'] }, '2026-11-28T12:00:00Z') });
    out.push({ name: `untagged tier on ${plan}`, input: modelInput('admin', plan, { id: 'smart', tags: ['premium'] }, '2026-11-28T12:00:00Z') });
    out.push({ name: `tags not a list on ${plan}`, input: modelInput('admin', plan, { id: 'smart', tags: 'cheap' as unknown as string[] }, '2026-11-28T12:00:00Z') });
  }
  out.push({ name: 'model list of the catalog', input: { ...modelInput('member', 'free', { type: 'models', id: 'acme' }, '2026-11-28T12:00:00Z'), action: 'model.list' } });
  out.push({ name: 'model invoke on a skill', input: modelInput('owner', 'team', { type: 'skill', id: 'sk-1' }, '2026-11-28T12:00:00Z') });
  for (const owner of ['bob', 'alice', undefined]) {
    for (const role of ROLES) {
      const input = { ...modelInput(role, 'team', { type: 'skill', id: 'sk-1', ...(owner ? { owner } : {}) }, '2026-11-28T12:00:00Z'), action: 'skills.write' };
      out.push({ name: `skills.write ${role} owner=${String(owner)}`, input });
    }
  }
  const base = matrixInput('owner', 'keys.write', 'acme');
  out.push({ name: 'forged request tenant', input: { ...matrixInput('owner', 'keys.write', 'globex'), tenant: { id: 'globex', plan: 'enterprise' } } });
  out.push({ name: 'forged principal tenant only', input: { ...base, principal: { ...base.principal, tenant: 'globex' } } });
  out.push({ name: 'empty tenants', input: { ...base, principal: { ...base.principal, tenant: '' }, resource: { ...base.resource, tenant: '' }, tenant: { id: '', plan: 'team' } } });
  out.push({ name: 'numeric tenants', input: { ...base, principal: { ...base.principal, tenant: 7 }, resource: { ...base.resource, tenant: 7 }, tenant: { id: 7, plan: 'team' } } });
  out.push({ name: 'no resource tenant', input: { ...base, resource: { type: 'key', id: 'k' } } });
  out.push({ name: 'unknown role', input: { ...base, principal: { ...base.principal, role: 'root' } } });
  out.push({ name: 'role as list', input: { ...base, principal: { ...base.principal, role: ['owner'] } } });
  out.push({ name: 'unknown action', input: { ...base, action: 'keys.delete_all' } });
  out.push({ name: 'action as number', input: { ...base, action: 42 } });
  out.push({ name: 'no principal', input: { action: 'model.invoke', resource: base.resource, tenant: base.tenant, request: base.request } });
  out.push({ name: 'null resource', input: { ...base, resource: null } });
  out.push({ name: 'empty input', input: {} });
  // users.write with the target user's facts (policies/users.rego): escalation, own role, last owner.
  const users = matrixInput('owner', 'users.write', 'acme');
  const targets: Array<Record<string, unknown>> = [
    { id: 'bob', new_role: 'owner', owner_count: 1 },
    { id: 'bob', role: 'owner', new_role: 'admin', owner_count: 2 },
    { id: 'bob', role: 'owner', new_role: 'admin', owner_count: 1 },
    { id: 'bob', role: 'owner', owner_count: 1 },
    { id: 'bob', role: 'owner', owner_count: '5' },
    { id: 'bob', role: 'member', owner_count: 1 },
    { id: users.principal.user, role: 'owner', new_role: 'member', owner_count: 3 },
    { id: users.principal.user, role: 'admin', new_role: 'owner', owner_count: 1 },
  ];
  for (const role of ROLES) {
    for (const target of targets) {
      out.push({ name: `users.write ${role} ${JSON.stringify(target)}`, input: { ...users, principal: { ...users.principal, role }, resource: { type: 'user', tenant: 'acme', ...target } } });
    }
  }
  out.push({ name: 'unicode ids', input: { ...base, principal: { ...base.principal, user: 'zoë', tenant: 'acmé' }, resource: { ...base.resource, tenant: 'acmé' }, tenant: { id: 'acmé', plan: 'team' } } });
  return out;
}
