import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { RouteKind } from '../../proxy/core/vocabulary.js';
import { mintTenantScope, type TenantScope } from '../../proxy/identity/tenant-scope.js';
import type { TenantDlp } from '../../proxy/dlp/tenant-dlp.js';

/** A real RequestContext (real node:http objects, no socket traffic) after identify and parse. */
export function contextFor(route: RouteKind, body: Record<string, unknown>, tenantId = 'acme'): RequestContext {
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  const ctx = new RequestContext({ requestId: 'req_test', api: route === 'messages' ? 'anthropic' : 'openai', route, req, res, ip: '127.0.0.1' });
  const scope = mintTenantScope(tenantId);
  ctx.principal = { type: 'api_key', id: 'key-1', user: 'alice', role: 'member', tenantId, plan: 'team', scope };
  ctx.request = {
    body,
    rawBytes: JSON.stringify(body).length,
    model: 'fast',
    stream: body.stream === true,
    maxTokens: undefined,
    target: { name: 'fast', kind: 'tier', provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini', tags: [] },
    summary: { messageCount: 1, toolNames: [] },
  };
  return ctx;
}

/** A registry over compiled tenants, looked up by the scope's tenant (what TenantRegistry.get does). */
export function registryOf(tenants: Record<string, TenantDlp>): { get(scope: TenantScope): { dlp: TenantDlp } } {
  return {
    get(scope) {
      const dlp = tenants[scope.tenantId];
      if (!dlp) throw new Error(`no tenant ${scope.tenantId}`);
      return { dlp };
    },
  };
}
