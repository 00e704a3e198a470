import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { OperatorTenants } from '../store/tenant-store.js';
import type { TenantRecord } from '../store/entities.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { errorHeaders, renderErrorBody } from '../errors/render.js';
import { readBody } from '../json/read-body.js';
import type { SideRouter } from '../server/request-handler.js';
import { invalidBody, matchPath } from './admin-endpoint.js';
import { createTenantBody, createdTenantView, tenantView } from './admin-schemas.js';
import { fromStoreError } from './store-errors.js';
import type { DocumentedRoute } from './admin-openapi.js';

/**
 * The operator's door: create, list and disable tenants over `/operator/v1/tenants`. Off unless
 * `operator.token` is set; the bearer token is compared in constant time (as digests, so not
 * even its length leaks). Tenant credentials never open it, and it never opens tenant data.
 */

export const OPERATOR_ROUTES: readonly DocumentedRoute[] = [
  { method: 'POST', path: '/operator/v1/tenants', summary: "Create a tenant with its first owner; the owner's first key is in this answer only.", body: createTenantBody, answer: createdTenantView, answerStatus: 201, security: 'operator' },
  { method: 'GET', path: '/operator/v1/tenants', summary: 'List every tenant.', answer: z.object({ data: z.array(tenantView) }), answerStatus: 200, security: 'operator' },
  { method: 'POST', path: '/operator/v1/tenants/:id/disable', summary: "Disable a tenant: its keys and sessions are refused on every instance within 1 s.", answer: tenantView, answerStatus: 200, security: 'operator' },
];

function tenantJson(t: TenantRecord): z.output<typeof tenantView> {
  return { id: t.id, plan: t.plan, disabled: t.disabled, source: t.source, createdAt: t.createdAt };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** True when the request carries `Authorization: Bearer <token>`, compared in constant time. */
export function operatorTokenMatches(header: string | undefined, token: string): boolean {
  const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}

/** What each operator action does, as plain calls the CLI (`npm run tenants`) shares. */
export const operatorActions = {
  async create(tenants: OperatorTenants, raw: unknown): Promise<z.output<typeof createdTenantView>> {
    const parsed = createTenantBody.safeParse(raw);
    if (!parsed.success) throw invalidBody(parsed.error);
    const created = await tenants.create(parsed.data);
    return { id: created.tenant.id, owner: created.owner.id, key: created.key.key.reveal() };
  },
  async list(tenants: OperatorTenants): Promise<{ data: Array<z.output<typeof tenantView>> }> {
    return { data: (await tenants.list()).map(tenantJson) };
  },
  async disable(tenants: OperatorTenants, id: string): Promise<z.output<typeof tenantView>> {
    return tenantJson(await tenants.disable(id));
  },
};

/** The operator router; `undefined` when no token is configured (the paths then answer 404 like any unknown route). */
export function createOperatorRouter(deps: { token: string | undefined; tenants: OperatorTenants; logger: Logger; maxBodyBytes: number }): SideRouter | undefined {
  const { token } = deps;
  if (token === undefined || token === '') return undefined;
  // Checked here, after ${ENV} interpolation, so an editor's schema check does not flag `${NAME}`.
  if (token.length < 32) throw new Error('operator.token: at least 32 characters (e.g. `openssl rand -base64 32`)');
  return (req, res, path, requestId) => {
    if (!path.startsWith('/operator/v1/')) return false;
    void handle(req, res, path, requestId, token);
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, requestId: string, token: string): Promise<void> {
    let status = 200;
    let body: string;
    let headers: Record<string, string> = {};
    try {
      const raw = req.method === 'POST' ? await readBody(req, deps.maxBodyBytes) : (req.resume(), Buffer.alloc(0));
      if (!operatorTokenMatches(req.headers.authorization, token)) throw new GatewayError('invalid_api_key', 'Missing or wrong operator token.');
      let answer: unknown;
      const disable = matchPath('/operator/v1/tenants/:id/disable', path);
      if (path === '/operator/v1/tenants' && req.method === 'POST') {
        let json: unknown;
        try {
          json = raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
        } catch {
          throw new GatewayError('invalid_request', 'The request body is not valid JSON.');
        }
        answer = await operatorActions.create(deps.tenants, json);
        status = 201;
        deps.logger.info({ tenant: (answer as { id: string }).id, requestId }, 'operator created a tenant');
      } else if (path === '/operator/v1/tenants' && req.method === 'GET') {
        answer = await operatorActions.list(deps.tenants);
      } else if (disable && req.method === 'POST') {
        answer = await operatorActions.disable(deps.tenants, disable['id'] ?? '');
        deps.logger.info({ tenant: disable['id'], requestId }, 'operator disabled a tenant');
      } else {
        throw new GatewayError('not_found', `Unknown operator route ${req.method ?? ''} ${path}.`);
      }
      body = JSON.stringify(answer);
    } catch (thrown) {
      const err = toGatewayError(fromStoreError(thrown));
      if (err.code === 'internal_error') deps.logger.error({ err: thrown, requestId }, 'operator call failed');
      status = err.status;
      body = renderErrorBody('openai', err, requestId);
      headers = { ...errorHeaders(err) };
    }
    res.writeHead(status, { 'content-type': 'application/json', 'x-workjet-request-id': requestId, ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}
