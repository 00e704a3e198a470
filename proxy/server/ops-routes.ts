import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.js';
import { errorHeaders, renderErrorBody } from '../errors/render.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { SideRouter } from './request-handler.js';

/** One readiness check: a name and whether that dependency can serve now. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean> | boolean;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time, over digests of equal length). */
function bearerMatches(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice(7).trim()), expected);
}

/**
 * `GET /healthz` (process up), `GET /readyz` (policy loaded, Redis reachable…), `GET /metrics`
 * (Prometheus; with `ops.metricsToken` set it needs that bearer token, else 401 `invalid_api_key`).
 */
export function createOpsRouter(deps: { metrics: GatewayMetrics; readiness: readonly ReadinessCheck[]; metricsToken?: string | undefined }): SideRouter {
  const metricsDigest = deps.metricsToken === undefined ? undefined : digest(deps.metricsToken);
  return (req: IncomingMessage, res: ServerResponse, path: string, requestId: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    switch (path) {
      case '/healthz':
        json(res, 200, { status: 'ok' });
        return true;
      case '/readyz':
        void Promise.all(
          deps.readiness.map(async (c) => {
            try {
              return [c.name, await c.check()] as const;
            } catch {
              return [c.name, false] as const;
            }
          }),
        ).then((results) => {
          const checks = Object.fromEntries(results);
          const ready = results.every(([, ok]) => ok);
          json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
        });
        return true;
      case '/metrics':
        if (metricsDigest !== undefined && !bearerMatches(req, metricsDigest)) {
          const err = new GatewayError('invalid_api_key', 'GET /metrics needs the operator metrics token (ops.metricsToken) as a bearer token.');
          res.writeHead(err.status, { ...errorHeaders(err), 'www-authenticate': 'Bearer' });
          res.end(renderErrorBody('openai', err, requestId));
          return true;
        }
        void deps.metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
          res.end(text);
        });
        return true;
      default:
        return false;
    }
  };
}
