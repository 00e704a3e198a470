import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { renderErrorBody, errorHeaders } from '../errors/render.js';
import type { Principal, PolicyDecision } from '../core/vocabulary.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SessionVerifier } from '../identity/session-verifier.js';
import { identify } from '../identity/identify-credential.js';
import type { AdminAuditRecorder, AdminChange } from '../audit/admin-action.js';
import { matchPath, type AdminEndpoint, type AdminTarget } from './admin-endpoint.js';
import { readBody } from '../json/read-body.js';
import { fromStoreError } from './store-errors.js';
import type { SideRouter } from '../server/request-handler.js';

/**
 * Asks the policy whether `principal` may perform `action` on a resource; throws 403 policy_denied
 * when not. `onDecision` receives the decision before any throw, so a denial is audited with it.
 */
export type AdminAuthorizer = (
  input: {
    principal: Principal;
    action: string;
    resource: { type: string; id: string; tenant: string } & NonNullable<AdminTarget['facts']>;
    method: string;
    path: string;
    ip: string;
    time: Date;
  },
  onDecision: (decision: PolicyDecision) => void,
) => PolicyDecision;

function send(res: ServerResponse, requestId: string, status: number, body: string, extra: Record<string, string> = {}): void {
  const type: Record<string, string> = status === 204 ? {} : { 'content-type': 'application/json' };
  res.writeHead(status, { ...type, 'x-workjet-request-id': requestId, 'x-request-id': requestId, ...extra, 'content-length': Buffer.byteLength(body) });
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
  maxBodyBytes: number;
  /** The serialised OpenAPI document, served at `GET /admin/v1/openapi.json` without a credential (it holds no tenant data). */
  openApi: string;
}): SideRouter {
  return (req: IncomingMessage, res: ServerResponse, path: string, requestId: string) => {
    if (!path.startsWith('/admin/v1/')) return false;
    if (path === '/admin/v1/openapi.json' && req.method === 'GET') {
      req.resume();
      send(res, requestId, 200, deps.openApi);
      return true;
    }
    void handle(req, res, path, requestId);
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    let principal: Principal | undefined;
    let decision: PolicyDecision | undefined;
    let action = 'admin.unknown';
    let status = 500;
    let errorCode: string | undefined;
    let change: AdminChange | undefined;
    let reply: { body: string; headers: Record<string, string> };
    try {
      // The checks run credential (401) → policy (403) → the id exists in the caller's tenant
      // (404) → body (400): a caller without a credential is refused before its body is read
      // (the rest is discarded, so a keep-alive connection stays usable).
      const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
      try {
        principal = await identify(deps.registry, deps.sessions, req.headers, Date.now());
      } catch (err) {
        req.resume();
        throw err;
      }
      const body = hasBody ? await readJson(req, deps.maxBodyBytes) : (req.resume(), { value: undefined });
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
      const { endpoint, params } = match;
      action = endpoint.action;
      const url = new URL(req.url ?? path, 'http://gateway');
      const call = { principal, tenant: deps.registry.get(principal.scope), params, query: url.searchParams, rawBody: body.value };
      const target: AdminTarget = endpoint.target ? await endpoint.target(call) : { exists: true };
      const resourceId = target.id ?? Object.values(params)[0] ?? principal.tenantId;
      decision = deps.authorize(
        {
          principal,
          action,
          resource: { ...target.facts, type: endpoint.resourceType, id: resourceId, tenant: principal.tenantId },
          method,
          path,
          ip: req.socket.remoteAddress ?? '',
          time: new Date(),
        },
        (d) => (decision = d),
      );
      // Another tenant's id and a missing id are the same answer: existence is not disclosed.
      if (!target.exists) throw new GatewayError('not_found', `No ${endpoint.resourceType} with that id.`);
      if (body.error) throw body.error;
      const result = await endpoint.handle(call);
      status = result.status;
      change = result.change;
      reply = { body: result.body === undefined ? '' : JSON.stringify(result.body), headers: {} };
    } catch (thrown) {
      const err = toGatewayError(fromStoreError(thrown));
      if (err.code === 'internal_error') deps.logger.error({ err: thrown, requestId }, 'admin call failed');
      status = err.status;
      errorCode = err.code;
      reply = { body: renderErrorBody('openai', err, requestId), headers: errorHeaders(err) };
    }
    // The record is kept before the caller sees the answer, as for model requests.
    try {
      await deps.audit.recordAdminAction({ principal, requestId, action, method, path, status, errorCode, decision, latencyMs: performance.now() - started, change });
    } catch (thrown) {
      const err = toGatewayError(thrown);
      deps.logger.error({ err: thrown, requestId }, 'admin audit record failed');
      status = err.status;
      reply = { body: renderErrorBody('openai', err, requestId), headers: errorHeaders(err) };
    }
    send(res, requestId, status, reply.body, reply.headers);
  }
}

/** The body as JSON; a malformed one is kept as an error to answer after the 401/403/404 checks. */
async function readJson(req: IncomingMessage, maxBytes: number): Promise<{ value: unknown; error?: GatewayError }> {
  const raw = await readBody(req, maxBytes);
  if (raw.length === 0) return { value: undefined };
  try {
    return { value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { value: undefined, error: new GatewayError('invalid_request', 'The request body is not valid JSON.') };
  }
}
