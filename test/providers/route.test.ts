import t from 'tap';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { ClientApi, RouteKind } from '../../proxy/core/vocabulary.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { Secret } from '../../proxy/identity/secret.js';
import { createRouteStage, getRoutePlan, type RouteTenantRuntime } from '../../proxy/pipeline/stages/route.js';
import type { ProviderEndpoint } from '../../proxy/providers/provider-adapter.js';
import type { TierConfig } from '../../proxy/config/schema.js';

function provider(name: string, type: ProviderEndpoint['type'], key?: string): ProviderEndpoint {
  return { name, type, baseUrl: `https://${name}.example/v1`, apiKey: key ? new Secret(key) : undefined, anthropicVersion: '2023-06-01', timeoutMs: undefined };
}

function tier(provider: string, model: string, fallbacks: TierConfig['fallbacks'] = []): TierConfig {
  return { provider, model, fallbacks, tags: [] };
}

const acme: RouteTenantRuntime = {
  providers: new Map([
    ['openai', provider('openai', 'openai', 'sk-acme')],
    ['groq', provider('groq', 'openai', 'gsk-acme')],
    ['anthropic', provider('anthropic', 'anthropic', 'sk-ant-acme')],
    ['demo', provider('demo', 'demo')],
  ]),
  config: {
    tiers: {
      fast: tier('openai', 'gpt-4o-mini', ['cheap', { provider: 'anthropic', model: 'claude-haiku' }, 'missing', { provider: 'nope', model: 'x' }, 'fast', { provider: 'groq', model: 'llama' }, 'demo-tier']),
      cheap: tier('groq', 'llama', ['fast']),
      smart: tier('anthropic', 'claude-sonnet', ['fast', 'demo-tier']),
      'demo-tier': tier('demo', 'demo-model'),
    },
  },
};
const globex: RouteTenantRuntime = { providers: new Map([['openai', provider('openai', 'openai', 'sk-globex')]]), config: { tiers: { fast: tier('openai', 'gpt-4o') } } };

const scopes = { acme: mintTenantScope('acme'), globex: mintTenantScope('globex') };
const registry = { get: (scope: { tenantId: string }) => (scope.tenantId === 'acme' ? acme : globex) };

function context(tenant: 'acme' | 'globex', api: ClientApi, route: RouteKind, name: string, kind: 'tier' | 'direct' = 'tier'): RequestContext {
  const req = new IncomingMessage(new Socket());
  const ctx = new RequestContext({ requestId: 'r', api, route, req, res: new ServerResponse(req), ip: '127.0.0.1' });
  ctx.principal = { type: 'api_key', id: 'k', user: 'u', role: 'member', tenantId: tenant, plan: 'team', scope: scopes[tenant] };
  const rt = tenant === 'acme' ? acme : globex;
  const tierConfig = rt.config.tiers[name];
  const [providerName, model] = kind === 'tier' ? [tierConfig?.provider ?? '', tierConfig?.model ?? ''] : (name.split('/') as [string, string]);
  const p = rt.providers.get(providerName) as ProviderEndpoint;
  ctx.request = { body: { model: name }, rawBytes: 0, model: name, stream: false, maxTokens: undefined, target: { name, kind, provider: providerName, providerType: p.type, model, tags: [] }, summary: { messageCount: 1, toolNames: [] } };
  return ctx;
}

const stage = createRouteStage({ registry });

t.test('plan: target first, then fallbacks (another API too: it is translated); unknown and duplicate entries skipped', async (t) => {
  const ctx = context('acme', 'openai', 'chat', 'fast');
  await stage.run(ctx);
  const plan = getRoutePlan(ctx);
  t.same(plan.attempts.map((a) => [a.label, a.provider.name, a.model]), [
    ['fast', 'openai', 'gpt-4o-mini'],
    ['cheap', 'groq', 'llama'],
    ['anthropic/claude-haiku', 'anthropic', 'claude-haiku'],
    ['demo-tier', 'demo', 'demo-model'],
  ]);
  t.equal(plan.attempts[0]?.provider.apiKey?.reveal(), 'sk-acme');
});

t.test('anthropic clients may fall back to an OpenAI tier (translated)', async (t) => {
  const ctx = context('acme', 'anthropic', 'messages', 'smart');
  await stage.run(ctx);
  t.same(getRoutePlan(ctx).attempts.map((a) => a.label), ['smart', 'fast', 'demo-tier']);
});

t.test('embeddings never reach a provider without an embeddings API', async (t) => {
  const ctx = context('acme', 'openai', 'embeddings', 'fast');
  await stage.run(ctx);
  t.same(getRoutePlan(ctx).attempts.map((a) => a.label), ['fast', 'cheap', 'demo-tier']);
});

t.test('direct models have no fallbacks', async (t) => {
  const ctx = context('acme', 'openai', 'chat', 'groq/mixtral', 'direct');
  await stage.run(ctx);
  t.same(getRoutePlan(ctx).attempts.map((a) => [a.label, a.provider.name, a.model]), [['groq/mixtral', 'groq', 'mixtral']]);
});

t.test("each tenant's plan carries only its own provider key", async (t) => {
  const a = context('acme', 'openai', 'chat', 'fast');
  const g = context('globex', 'openai', 'chat', 'fast');
  await stage.run(a);
  await stage.run(g);
  t.equal(getRoutePlan(a).attempts[0]?.provider.apiKey?.reveal(), 'sk-acme');
  t.same(getRoutePlan(g).attempts.map((x) => [x.provider.apiKey?.reveal(), x.model]), [['sk-globex', 'gpt-4o']]);
});

t.test('a target the client API cannot reach is model_not_found; reading the plan early throws', async (t) => {
  const ctx = context('acme', 'openai', 'embeddings', 'smart');
  t.throws(() => getRoutePlan(ctx), /before stage route/);
  await t.rejects(async () => stage.run(ctx), { code: 'model_not_found' });
});
