import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';
import { GatewayError } from '../errors/gateway-error.js';
import { errorHeaders, renderErrorBody } from '../errors/render.js';
import type { GatewayConfig } from '../config/schema.js';
import { routePath } from './route-table.js';
import { newRequestId } from './request-handler.js';

/**
 * Overload protection in the spirit of Envoy's overload manager: before any work is done for a
 * request, it is admitted only while the number of requests in flight is under
 * `overload.maxInFlightRequests` and the event loop's measured delay is under
 * `overload.maxEventLoopDelayMs`. Past either, the request is answered at once with 503
 * `overloaded` and `retry-after` (its body is not read), so requests already admitted keep the
 * CPU and finish. The ops endpoints are never refused: an operator must be able to look.
 */

export type OverloadConfig = GatewayConfig['overload'];

/** Paths answered even under overload (probes and scrapes are cheap and needed most then). */
const ALWAYS_ADMITTED = new Set(['/healthz', '/readyz', '/metrics']);

export interface OverloadGuard {
  /** Admits the request (true; it is counted until its response closes) or answers it with 503 (false). */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Requests admitted and not yet closed. */
  inFlight(): number;
  /** The event-loop delay measured over the last sample interval, in ms. */
  eventLoopDelayMs(): number;
  /** Stops the event-loop sampler. */
  close(): void;
}

/** Builds the guard and registers its metrics (`workjet_inflight_requests`, `workjet_event_loop_delay_seconds`, `workjet_overload_rejected_total`). */
export function createOverloadGuard(config: OverloadConfig, registry: Registry): OverloadGuard {
  let inFlight = 0;
  let delayMs = 0;
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // Like @fastify/under-pressure: the mean delay over the interval, less the sampling resolution.
  const sampler = setInterval(() => {
    const mean = histogram.mean / 1e6;
    delayMs = Number.isFinite(mean) ? Math.max(0, mean - 10) : 0;
    histogram.reset();
  }, config.sampleIntervalMs);
  sampler.unref();

  new Gauge({ name: 'workjet_inflight_requests', help: 'Model and admin requests admitted and not yet answered.', registers: [registry], collect() { this.set(inFlight); } });
  new Gauge({ name: 'workjet_event_loop_delay_seconds', help: 'Event-loop delay over the last sample interval (overload.maxEventLoopDelayMs caps it).', registers: [registry], collect() { this.set(delayMs / 1000); } });
  const rejected = new Counter({ name: 'workjet_overload_rejected_total', help: 'Requests refused with 503 overloaded, by reason.', labelNames: ['reason'] as const, registers: [registry] });
  const retryAfter = String(config.retryAfterSeconds);

  const refuse = (req: IncomingMessage, res: ServerResponse, reason: 'in_flight' | 'event_loop_delay'): false => {
    rejected.inc({ reason });
    const path = routePath(req.url);
    const api = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    const err = new GatewayError('overloaded', 'The gateway is overloaded; the request was not processed. Retry shortly.', { headers: { 'retry-after': retryAfter } });
    const requestId = newRequestId();
    const body = renderErrorBody(api, err, requestId);
    // The body is never read: drop the connection afterwards rather than drain it.
    res.writeHead(err.status, { ...errorHeaders(err), 'x-workjet-request-id': requestId, [api === 'anthropic' ? 'request-id' : 'x-request-id']: requestId, 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
    req.resume();
    return false;
  };

  return {
    admit(req, res) {
      if (ALWAYS_ADMITTED.has(routePath(req.url))) return true;
      if (inFlight >= config.maxInFlightRequests) return refuse(req, res, 'in_flight');
      if (config.maxEventLoopDelayMs > 0 && delayMs > config.maxEventLoopDelayMs) return refuse(req, res, 'event_loop_delay');
      inFlight++;
      res.once('close', () => inFlight--);
      return true;
    },
    inFlight: () => inFlight,
    eventLoopDelayMs: () => delayMs,
    close() {
      clearInterval(sampler);
      histogram.disable();
    },
  };
}
