import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** `GET /healthz` (process up), `GET /readyz` (policy loaded, Redis reachable…), `GET /metrics` (Prometheus). */
export function createOpsRouter(deps: { metrics: GatewayMetrics; readiness: readonly ReadinessCheck[] }): SideRouter {
  return (req: IncomingMessage, res: ServerResponse, path: string) => {
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
