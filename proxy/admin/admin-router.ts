import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { renderErrorBody, errorHeaders } from '../errors/render.js';
import type { Principal, PolicyDecision } from '../core/vocabulary.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SessionVerifier } from '../identity/session-verifier.js';
import { identify } from '../pipeline/stages/identify.js';
import { matchPath, type AdminEndpoint } from './admin-endpoint.js';
import type { SideRouter } from '../server/request-handler.js';

/**
 * Asks the policy whether `principal` may perform `action` on a resource; throws 403 policy_denied
 * when not. `onDecision` receives the decision before any throw, so a denial is audited with it.
 */
export type AdminAuthorizer = (
  input: {
    principal: Principal;
    action: string;
    resource: { type: string; id: string; tenant: string };
    method: string;
    path: string;
    ip: string;
    time: Date;
  },
  onDecision: (decision: PolicyDecision) => void,
) => PolicyDecision;

/** Where admin actions are recorded (the tenant's audit partition). */
export interface AdminAuditRecorder {
  recordAdminAction(entry: {
    principal: Principal | undefined;
    requestId: string;
    action: string;
    method: string;
    path: string;
    status: number;
    errorCode: string | undefined;
    decision: PolicyDecision | undefined;
    latencyMs: number;
  }): Promise<void>;
}

function send(res: ServerResponse, requestId: string, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-workjet-request-id': requestId, 'x-request-id': requestId, ...extra, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The admin API under `/admin/v1`: same credentials as model calls, every call authorized by the
 * policy and scoped to the caller's own tenant, every call audited.
 */
export function createAdminRouter(deps: {
  endpoints: readonly AdminEndpoint[];
  registry: TenantRegistry;
  sessions: SessionVerifier | undefined;
  authorize: AdminAuthorizer;
  audit: AdminAuditRecorder;
  logger: Logger;
}): SideRouter {
  return (req: IncomingMessage, res: ServerResponse, path: string, requestId: string) => {
    if (!path.startsWith('/admin/v1/')) return false;
    void handle(req, res, path, requestId);
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    req.resume();
    let principal: Principal | undefined;
    let decision: PolicyDecision | undefined;
    let action = 'admin.unknown';
    let status = 500;
    let errorCode: string | undefined;
    let reply: { body: string; headers: Record<string, string> };
    try {
      principal = await identify(deps.registry, deps.sessions, req.headers, Date.now());
      let match: { endpoint: AdminEndpoint; params: Record<string, string> } | undefined;
      for (const endpoint of deps.endpoints) {
        if (endpoint.method !== method) continue;
        const params = matchPath(endpoint.path, path);
        if (params) {
          match = { endpoint, params };
          break;
        }
      }
      if (!match) throw new GatewayError('not_found', `Unknown admin route ${method} ${path}.`);
      action = match.endpoint.action;
      const resourceId = Object.values(match.params)[0] ?? principal.tenantId;
      decision = deps.authorize(
        {
          principal,
          action,
          resource: { type: match.endpoint.resourceType, id: resourceId, tenant: principal.tenantId },
          method,
          path,
          ip: req.socket.remoteAddress ?? '',
          time: new Date(),
        },
        (d) => (decision = d),
      );
      const url = new URL(req.url ?? path, 'http://gateway');
      const result = await match.endpoint.handle({ principal, tenant: deps.registry.get(principal.scope), params: match.params, query: url.searchParams });
      status = result.status;
      reply = { body: JSON.stringify(result.body), headers: {} };
    } catch (thrown) {
      const err = toGatewayError(thrown);
      if (err.code === 'internal_error') deps.logger.error({ err: thrown, requestId }, 'admin call failed');
      status = err.status;
      errorCode = err.code;
      reply = { body: renderErrorBody('openai', err, requestId), headers: errorHeaders(err) };
    }
    // The record is kept before the caller sees the answer, as for model requests.
    try {
      await deps.audit.recordAdminAction({ principal, requestId, action, method, path, status, errorCode, decision, latencyMs: performance.now() - started });
    } catch (thrown) {
      const err = toGatewayError(thrown);
      deps.logger.error({ err: thrown, requestId }, 'admin audit record failed');
      status = err.status;
      reply = { body: renderErrorBody('openai', err, requestId), headers: errorHeaders(err) };
    }
    send(res, requestId, status, reply.body, reply.headers);
  }
}
