import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { gatewayConfigSchema, type GatewayConfig, type TenantConfig } from '../../proxy/config/schema.js';
import { mintTenantScope, type TenantScope } from '../../proxy/identity/tenant-scope.js';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { RouteKind } from '../../proxy/core/vocabulary.js';
import type { TenantConfigSource } from '../../proxy/limits/tenant-config-source.js';

/** A logger that keeps every line, for assertions on what was logged. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** A validated gateway config with one tenant (`tenant` fields merged in) and gpt-4o-mini priced. */
export function makeConfig(tenantId: string, tenant: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): GatewayConfig {
  return gatewayConfigSchema.parse({
    pricing: { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'gpt-4o': { input: 2.5, output: 10 }, 'claude-x': { input: 3, output: 15 } },
    tenants: [
      {
        id: tenantId,
        providers: { openai: { apiKey: 'sk-test' }, anthropic: { apiKey: 'sk-ant-test' } },
        tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini', fallbacks: ['smart'] }, smart: { provider: 'openai', model: 'gpt-4o' }, claude: { provider: 'anthropic', model: 'claude-x' } },
        users: [{ id: 'alice', role: 'owner' }, { id: 'bob', role: 'member' }],
        ...tenant,
      },
    ],
    ...extra,
  });
}

/** The stages' view of the tenant registry, over one config (the real registry satisfies the same interface). */
export function configSource(config: GatewayConfig): { source: TenantConfigSource; scope: TenantScope; tenant: TenantConfig } {
  const tenant = config.tenants[0] as TenantConfig;
  const scope = mintTenantScope(tenant.id);
  return { source: { get: () => ({ config: tenant }) }, scope, tenant };
}

export interface ContextOptions {
  scope: TenantScope;
  user?: string;
  keyId?: string;
  route?: RouteKind;
  tier?: string;
  model?: string;
  providerType?: 'openai' | 'anthropic';
  body?: Record<string, unknown>;
  stream?: boolean;
}

/** A context before identify ran (e.g. a 401): no principal, no request. */
export function makeBareContext(): RequestContext {
  const req = new IncomingMessage(new Socket());
  return new RequestContext({ requestId: 'req-bare', api: 'openai', route: 'chat', req, res: new ServerResponse(req), ip: '127.0.0.1' });
}

/** A request context as identify and parse leave it, on real (unconnected) Node HTTP objects. */
export function makeContext(o: ContextOptions): RequestContext {
  const route = o.route ?? 'chat';
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  const ctx = new RequestContext({ requestId: `req-${Math.random().toString(36).slice(2)}`, api: route === 'messages' ? 'anthropic' : 'openai', route, req, res, ip: '127.0.0.1' });
  ctx.principal = { type: 'api_key', id: o.keyId ?? 'key-1', user: o.user ?? 'alice', role: 'member', tenantId: o.scope.tenantId, plan: 'team', scope: o.scope };
  const body = o.body ?? { model: o.tier ?? 'fast', messages: [{ role: 'user', content: 'Say hello in one short sentence.' }] };
  const maxTokens = [body['max_completion_tokens'], body['max_tokens'], body['max_output_tokens']].find((v): v is number => typeof v === 'number');
  ctx.request = {
    body,
    rawBytes: JSON.stringify(body).length,
    model: o.tier ?? 'fast',
    stream: o.stream ?? false,
    maxTokens,
    target: { name: o.tier ?? 'fast', kind: 'tier', provider: o.providerType ?? 'openai', providerType: o.providerType ?? 'openai', model: o.model ?? 'gpt-4o-mini', tags: [] },
    summary: { messageCount: 1, toolNames: [] },
  };
  return ctx;
}
