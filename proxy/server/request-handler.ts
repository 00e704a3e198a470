import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createAccessLog, type Logger } from '../observability/logger.js';
import { RequestContext } from '../pipeline/context.js';
import { ResponseClientStream } from './response-client-stream.js';
import type { RouteKind } from '../core/vocabulary.js';
import { GatewayError } from '../errors/gateway-error.js';
import { runPipeline, sendError, type Pipeline, type StageTimer } from './run-request.js';
import { MODEL_ROUTES, routePath } from './route-table.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/** Handles what is not a model route: ops endpoints and the admin API. Returns false when the path is not its own. */
export type SideRouter = (req: IncomingMessage, res: ServerResponse, path: string, requestId: string) => boolean;

export interface RequestHandlerDeps {
  readonly pipelines: Readonly<Record<RouteKind, Pipeline>>;
  readonly sideRouters: readonly SideRouter[];
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

export function newRequestId(): string {
  return 'req_' + randomUUID().replaceAll('-', '');
}

function clientIp(req: IncomingMessage): string {
  // X-Forwarded-For is deliberately not trusted: it is client-controlled unless a trusted proxy sets it.
  return req.socket.remoteAddress ?? '';
}

/** The HTTP entry point: dispatches model routes to their pipeline, everything else to the side routers. */
export function createRequestHandler(deps: RequestHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { pipelines, sideRouters, logger, metrics } = deps;
  const logAccess = createAccessLog(logger);
  const timers = new Map<RouteKind, StageTimer>();
  // Bound once per route, so the request path never builds or looks up a label set.
  const durations = new Map<RouteKind, { observe(value: number): void }>();
  for (const kind of Object.keys(pipelines) as RouteKind[]) {
    timers.set(kind, stageTimer(metrics, kind));
    durations.set(kind, metrics.duration.labels(kind));
  }
  return (req, res) => {
    const requestId = newRequestId();
    const path = routePath(req.url);
    const route = MODEL_ROUTES.get(path);
    if (!route) {
      res.setHeader('x-workjet-request-id', requestId);
      for (const side of sideRouters) {
        if (side(req, res, path, requestId)) {
          const kind = path.startsWith('/admin/') ? 'admin' : 'ops';
          res.once('finish', () => metrics.requests.inc({ route: kind, tenant: '', status: String(res.statusCode), code: '' }));
          return;
        }
      }
    }
    const api = route?.api ?? (path.includes('/messages') ? 'anthropic' : 'openai');
    const ctx = new RequestContext({ requestId, api, route: route?.kind ?? 'chat', req, res, ip: clientIp(req), client: new ResponseClientStream(res) });
    ctx.responseHeaders['x-workjet-request-id'] = requestId;
    ctx.responseHeaders[api === 'anthropic' ? 'request-id' : 'x-request-id'] = requestId;
    if (!route || req.method !== route.method) {
      req.resume();
      const err = route
        ? new GatewayError('method_not_allowed', `${path} accepts ${route.method} only.`)
        : new GatewayError('not_found', `Unknown route ${req.method ?? ''} ${path}.`);
      if (route) res.setHeader('allow', route.method);
      sendError(ctx, err);
      metrics.requests.inc({ route: route?.kind ?? 'unknown', tenant: '', status: String(err.status), code: err.code });
      return;
    }
    res.on('close', () => {
      if (!res.writableFinished) {
        ctx.clientDisconnected = true;
        ctx.clientAbort.abort();
      }
    });
    runPipeline(ctx, pipelines[route.kind], logger, timers.get(route.kind))
      .catch((err: unknown) => {
        logger.error({ err, requestId }, 'pipeline crashed');
        if (!res.headersSent) sendError(ctx, new GatewayError('internal_error', 'The gateway failed to process the request.'));
        else res.destroy();
      })
      .finally(() => {
        const principal = ctx.peekPrincipal();
        const tenant = principal?.tenantId ?? '_unauthenticated';
        const status = ctx.status || res.statusCode;
        const latencyMs = ctx.elapsedMs();
        metrics.requests.inc({ route: route.kind, tenant, status: String(status), code: ctx.error?.code ?? '' });
        durations.get(route.kind)?.observe(latencyMs / 1000);
        logAccess({
          requestId,
          route: route.kind,
          tenant,
          user: principal?.user,
          keyId: principal?.id,
          model: ctx.peekRequest()?.model,
          status,
          code: ctx.error?.code,
          disconnected: ctx.clientDisconnected || undefined,
          latencyMs: Math.round(latencyMs * 10) / 10,
        });
      });
  };
}

/** One histogram child per (route, stage), bound once: observing then costs no label lookup. */
function stageTimer(metrics: GatewayMetrics, route: RouteKind): StageTimer {
  const children = new Map<string, { observe(value: number): void }>();
  return (stage, seconds) => {
    let child = children.get(stage);
    if (!child) {
      child = metrics.stageDuration.labels(route, stage);
      children.set(stage, child);
    }
    child.observe(seconds);
  };
}
