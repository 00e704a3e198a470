// Stage `authorize` with the real engine and the real default bundle: decisions land in
// ctx.decision and x-workjet-decision-id; denials are 403 policy_denied with the reasons,
// dry-run lets them pass marked wouldDeny, and a policy that cannot decide is a 500.
import t from 'tap';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { gatewayConfigSchema, type TenantConfig } from '../../proxy/config/schema.js';
import { mintTenantScope, type TenantScope } from '../../proxy/identity/tenant-scope.js';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { ModelTarget, Principal, RouteKind } from '../../proxy/core/vocabulary.js';
import { createAuthorizeStage, type PolicyModeSource } from '../../proxy/pipeline/stages/authorize.js';
import { PolicyEngine } from '../../proxy/policy/policy-engine.js';
import { authorizeAction } from '../../proxy/policy/authorize-action.js';
import { filterListableTargets } from '../../proxy/policy/model-list-filter.js';
import { captureLogger, defaultBundle, tinyBundle } from './policy-fixtures.js';

const config = gatewayConfigSchema.parse({
  tenants: [
    { id: 'acme', plan: 'team', users: [{ id: 'bob', role: 'member' }] },
    { id: 'freeco', plan: 'free', policy: { mode: 'enforce' } },
    { id: 'trialco', plan: 'free', policy: { mode: 'dry-run' } },
    { id: 'bigco', plan: 'enterprise' },
  ],
});
const tenants = new Map(config.tenants.map((tenant) => [tenant.id, tenant]));
const scopes = new Map(config.tenants.map((tenant) => [tenant.id, mintTenantScope(tenant.id)]));

/** The registry's contract for authorize: the tenant's config by scope (the real configs, parsed). */
const registry: PolicyModeSource = {
  get(scope: TenantScope): { config: TenantConfig } {
    const tenant = tenants.get(scope.tenantId);
    if (!tenant) throw new Error(`no tenant ${scope.tenantId}`);
    return { config: tenant };
  },
};

function principal(tenantId: string, role: Principal['role'] = 'member'): Principal {
  const scope = scopes.get(tenantId);
  if (!scope) throw new Error(tenantId);
  return { type: 'api_key', id: 'key-1', user: 'bob', role, tenantId, plan: tenants.get(tenantId)?.plan ?? 'team', scope };
}

const cheap: ModelTarget = { name: 'fast', kind: 'tier', provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini', tags: ['cheap'] };
const premium: ModelTarget = { name: 'smart', kind: 'tier', provider: 'openai', providerType: 'openai', model: 'gpt-4o', tags: [] };
const direct: ModelTarget = { name: 'openai/gpt-4o', kind: 'direct', provider: 'openai', providerType: 'openai', model: 'gpt-4o', tags: [] };

function context(who: Principal, target: ModelTarget | undefined, route: RouteKind = 'chat', now = new Date('2026-11-28T14:05:00Z')): RequestContext {
  const req = new IncomingMessage(new Socket());
  req.method = route === 'models' ? 'GET' : 'POST';
  req.url = route === 'models' ? '/v1/models' : '/v1/chat/completions?trace=1';
  const ctx = new RequestContext({ requestId: 'req-1', api: 'openai', route, req, res: new ServerResponse(req), ip: '127.0.0.1', now });
  ctx.principal = who;
  if (target) {
    ctx.request = {
      body: { model: target.name, messages: [{ role: 'user', content: 'secret prompt text' }] },
      rawBytes: 80,
      model: target.name,
      stream: true,
      maxTokens: 256,
      target,
      summary: { messageCount: 1, toolNames: ['lookup'] },
    };
  }
  return ctx;
}

function rejection(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

const engine = await PolicyEngine.load({ bundlePath: await defaultBundle(), logger: captureLogger().logger });

t.test('an allowed model call records the decision and its header', async (t) => {
  const stage = createAuthorizeStage({ engine, registry, logger: captureLogger().logger });
  t.equal(stage.name, 'authorize');
  const ctx = context(principal('acme'), premium);
  await stage.run(ctx);
  t.equal(ctx.decision.allow, true);
  t.same(ctx.decision.reasons, ['role member grants model.invoke']);
  t.equal(ctx.responseHeaders['x-workjet-decision-id'], ctx.decision.id);
});

t.test('a denial is 403 policy_denied with the policy reasons', async (t) => {
  const { logger, lines } = captureLogger();
  const stage = createAuthorizeStage({ engine, registry, logger });
  const ctx = context(principal('freeco'), premium);
  const err = rejection(() => stage.run(ctx));
  t.equal(err.code, 'policy_denied');
  t.equal(err.status, 403);
  t.match(err.message, 'plan free may only use tiers tagged cheap');
  t.equal(ctx.decision.allow, false);
  t.equal(ctx.decision.wouldDeny, false);
  t.equal(ctx.responseHeaders['x-workjet-decision-id'], ctx.decision.id);
  t.equal(err.headers['x-workjet-decision-id'], ctx.decision.id);
  t.ok(lines.some((l) => l['msg'] === 'policy denied' && l['decisionId'] === ctx.decision.id));

  const directCtx = context(principal('acme', 'owner'), direct);
  t.match(rejection(() => stage.run(directCtx)).message, 'plan team does not allow direct provider/model access');
  const bigco = context(principal('bigco'), direct);
  await stage.run(bigco);
  t.equal(bigco.decision.allow, true, 'enterprise may use direct models');
});

t.test('dry-run logs "would deny" and lets the request proceed', async (t) => {
  const { logger, lines } = captureLogger();
  const stage = createAuthorizeStage({ engine, registry, logger });
  const ctx = context(principal('trialco'), premium);
  await stage.run(ctx);
  t.equal(ctx.decision.allow, false);
  t.equal(ctx.decision.wouldDeny, true);
  t.same(ctx.decision.reasons, ['plan free may only use tiers tagged cheap']);
  t.equal(ctx.responseHeaders['x-workjet-decision-id'], ctx.decision.id);
  t.ok(lines.some((l) => l['msg'] === 'policy would deny (dry-run): allowing' && l['tenant'] === 'trialco'));
  const allowed = context(principal('trialco'), cheap);
  await stage.run(allowed);
  t.equal(allowed.decision.wouldDeny, false, 'an allowed request in dry-run is not marked');
});

t.test('GET /v1/models is authorized as model.list on the tenant model list', async (t) => {
  const stage = createAuthorizeStage({ engine, registry, logger: captureLogger().logger });
  const ctx = context(principal('freeco'), undefined, 'models');
  await stage.run(ctx);
  t.same(ctx.decision.reasons, ['role member grants model.list']);
});

t.test('a policy that cannot decide is 500 policy_error in every mode', async (t) => {
  const { logger } = captureLogger();
  const path = await tinyBundle(t, 'decision := {"allow": true, "reasons": []} if input.action == "never"');
  const undefinedEngine = await PolicyEngine.load({ bundlePath: path, logger });
  for (const tenant of ['acme', 'trialco']) {
    const stage = createAuthorizeStage({ engine: undefinedEngine, registry, logger });
    const ctx = context(principal(tenant), cheap);
    const err = rejection(() => stage.run(ctx));
    t.equal(err.code, 'policy_error', tenant);
    t.equal(err.status, 500);
    t.equal(ctx.decision.allow, false, 'recorded as not allowed for the audit record');
    t.equal(ctx.responseHeaders['x-workjet-decision-id'], ctx.decision.id);
  }
});

t.test('authorizeAction: a member is denied an admin action with the reason, an admin is allowed', async (t) => {
  const request = { action: 'keys.write' as const, resource: { type: 'key', id: 'key-9', tenant: 'acme' }, method: 'POST', path: '/admin/v1/keys', ip: '127.0.0.1' };
  const err = rejection(() => authorizeAction(engine, { ...request, principal: principal('acme', 'member') }));
  t.equal(err.code, 'policy_denied');
  t.equal(err.status, 403);
  t.match(err.message, 'role member does not grant keys.write');
  t.match(err.headers['x-workjet-decision-id'], /^[0-9a-f-]{36}$/);
  const decision = authorizeAction(engine, { ...request, principal: principal('acme', 'admin') });
  t.equal(decision.allow, true);
  t.same(decision.reasons, ['role admin grants keys.write']);
  const owner = rejection(() => authorizeAction(engine, { ...request, action: 'budget.write', principal: principal('acme', 'admin') }));
  t.match(owner.message, 'role admin does not grant budget.write');
  const dry = authorizeAction(engine, { ...request, principal: principal('trialco', 'member'), resource: { ...request.resource, tenant: 'trialco' }, mode: 'dry-run' });
  t.equal(dry.wouldDeny, true);
  const crossTenant = rejection(() => authorizeAction(engine, { ...request, principal: principal('acme', 'owner'), resource: { type: 'key', id: 'key-1', tenant: 'bigco' } }));
  t.match(crossTenant.message, 'resource belongs to another tenant');
});

t.test('filterListableTargets keeps only what the caller may list', async (t) => {
  const base = { method: 'GET', path: '/v1/models', ip: '127.0.0.1', time: new Date('2026-11-28T14:05:00Z') };
  const names = (list: ModelTarget[]) => list.map((m) => m.name);
  t.same(names(filterListableTargets(engine, { ...base, principal: principal('freeco'), mode: 'enforce' }, [cheap, premium, direct])), ['fast']);
  t.same(names(filterListableTargets(engine, { ...base, principal: principal('acme'), mode: 'enforce' }, [cheap, premium, direct])), ['fast', 'smart']);
  t.same(names(filterListableTargets(engine, { ...base, principal: principal('bigco'), mode: 'enforce' }, [cheap, premium, direct])), ['fast', 'smart', 'openai/gpt-4o']);
  t.same(names(filterListableTargets(engine, { ...base, principal: principal('trialco'), mode: 'dry-run' }, [cheap, premium])), ['fast', 'smart']);
});
