import type { Logger } from 'pino';
import type { Stage } from '../stage.js';
import type { RequestContext, UpstreamResult } from '../context.js';
import type { GatewayConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { classifyUpstreamStatus } from '../../providers/provider-adapter.js';
import { callShape, type CallShape } from '../../translate/call-shape.js';
import { breakerEndpoint, type CircuitBreakers } from '../../providers/circuit-breaker.js';
import { mapUpstreamError, type UpstreamPool } from '../../providers/upstream-pool.js';
import type { UpstreamResponse } from '../../providers/upstream-exchange.js';
import type { TrustedBaseUrls } from '../../providers/trusted-base-urls.js';
import { clientGone, relayStream } from './forward-stream.js';
import { isObject, tryParseJson } from '../../providers/json-fields.js';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from '../../json/nesting-depth.js';
import { plainUpstreamRequestId, renderUpstreamError, scrubSecrets, upstreamErrorFields, upstreamSecrets } from '../../providers/upstream-answer.js';
import type { SseTransform } from '../../providers/sse-types.js';
import type { ResponseFilter } from '../response-dlp.js';
import type { RouteAttempt } from '../stage-results.js';

export interface ForwardDeps {
  readonly pool: UpstreamPool;
  readonly logger: Logger;
  /** `config.upstream`: first-byte and idle timeouts per request (a provider's `timeoutMs` overrides both). */
  readonly upstream: Pick<GatewayConfig['upstream'], 'firstByteTimeoutMs' | 'idleTimeoutMs'>;
  /** `audit.includeContent`: capture the completion text into `ctx.capturedContent`. */
  readonly captureContent?: boolean;
  /** Tenant-wide response scanning (response DLP), wired by the server. */
  readonly responseFilter?: ResponseFilter;
  /** Per-endpoint circuit breakers: an open endpoint is skipped like a failed attempt. */
  readonly breakers?: CircuitBreakers;
  /** Base URLs the operator vouches for; any other (set over the admin API) connects through the SSRF guard. */
  readonly trustedBaseUrls?: TrustedBaseUrls;
  /** `server.maxJsonDepth`, applied to provider JSON too: the response walkers are bounded by it. */
  readonly maxJsonDepth?: number;
}

/** A failure the next attempt may cure, or `undefined` when the response is handled. */
type AttemptOutcome = GatewayError | undefined;

function header(headers: UpstreamResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function wantsCapture(deps: ForwardDeps): boolean {
  return deps.captureContent === true;
}

function resultHeaders(contentType: string | undefined, upstreamRequestId: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': contentType ?? 'application/json' };
  if (upstreamRequestId !== undefined) headers['x-upstream-request-id'] = upstreamRequestId;
  return headers;
}

/** An error body is rendered from a few fields: more than this is never read. */
const MAX_ERROR_BODY = 64 * 1024;

/** A scrubbing step first in the stream chain: no event carries a credential the gateway sent upstream. */
function scrubTransform(secrets: readonly string[]): SseTransform {
  return {
    onEvent: (event) => {
      const data = scrubSecrets(event.data, secrets);
      return [data === event.data ? event : { ...event, data }];
    },
    onEnd: () => [],
  };
}

/** The tenant's provider key was refused: a 502 naming the provider, never the provider's text (it may quote the key). */
function providerKeyRefused(provider: string, status: number): GatewayError {
  // Retrying cannot help until an admin fixes the key, so the SDKs are told not to.
  return new GatewayError('upstream_error', `Provider '${provider}' rejected the gateway's credentials (HTTP ${status}); check this tenant's provider key.`, {
    headers: { 'x-should-retry': 'false' },
  });
}

/**
 * A non-2xx answer: fall back, turn into a 502 (the tenant's provider key was refused), or pass
 * the provider's status on with its message, type, code and param, scrubbed of credentials,
 * through response DLP, in the client's error shape (never the provider's bytes as they came).
 */
async function handleErrorStatus(ctx: RequestContext, deps: ForwardDeps, shape: CallShape, response: UpstreamResponse, result: UpstreamResult, upstreamRequestId: string | undefined, secrets: readonly string[]): Promise<AttemptOutcome> {
  const status = response.statusCode;
  const kind = classifyUpstreamStatus(status);
  if (kind !== 'passthrough') {
    await response.body.dump();
    if (kind === 'provider_auth') throw providerKeyRefused(result.provider, status);
    const retryAfter = header(response.headers, 'retry-after');
    const seconds = Number(retryAfter);
    const headers: Record<string, string> = retryAfter !== undefined && Number.isInteger(seconds) && seconds >= 0 && seconds < 86_400 ? { 'retry-after': String(seconds) } : {};
    const code = status === 504 || status === 408 ? 'upstream_timeout' : 'upstream_error';
    return new GatewayError(code, `Provider '${result.provider}' answered HTTP ${status}.`, { headers });
  }
  const text = await response.body.capped(MAX_ERROR_BODY);
  // Some providers refuse a bad key with a plain 400 (Gemini's API_KEY_INVALID): still the tenant's key, still a 502.
  if (shape.adapter.refusesKey?.(status, text)) throw providerKeyRefused(result.provider, status);
  const raw = upstreamErrorFields(status, result.provider, text, secrets);
  // A translated call answers in the client's vocabulary: the provider's error type means nothing to its SDK.
  const fields = shape.translator ? { ...raw, type: undefined, code: null } : raw;
  const message = deps.responseFilter?.filterText?.(ctx, fields.message) ?? fields.message;
  const body = renderUpstreamError(ctx.api, { ...fields, message }, ctx.requestId);
  ctx.pendingResponse = { status, headers: resultHeaders('application/json', upstreamRequestId), body };
  return undefined;
}

/**
 * A complete JSON answer: usage, optional response filtering and capture, then `ctx.pendingResponse`.
 * A 2xx body that is not a JSON object is a broken upstream (an HTML page, a proxy's text): a
 * fallback-able 502, none of its bytes shown. Credentials the gateway sent are scrubbed first.
 */
async function handleJson(ctx: RequestContext, deps: ForwardDeps, shape: CallShape, response: UpstreamResponse, upstreamRequestId: string | undefined, secrets: readonly string[]): Promise<AttemptOutcome> {
  const received = await response.body.text();
  if (exceedsJsonDepth(received, deps.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH)) {
    return new GatewayError('upstream_error', `Provider '${ctx.upstream?.provider ?? ''}' answered JSON nested deeper than the gateway accepts.`);
  }
  let parsed = tryParseJson(received);
  if (!isObject(parsed)) {
    return new GatewayError('upstream_error', `Provider '${ctx.upstream?.provider ?? ''}' answered HTTP ${response.statusCode} with a body that is not a JSON object.`);
  }
  const scrubbed = scrubSecrets(received, secrets);
  if (scrubbed !== received) parsed = tryParseJson(scrubbed);
  const usage = shape.adapter.parseUsage(shape.upstreamRoute, parsed);
  if (usage) ctx.usage = usage;
  // From here on the body is in the client's format: response DLP and capture read that.
  if (shape.translator && isObject(parsed)) {
    parsed = shape.translator.response(parsed, { body: ctx.outgoingBody, model: ctx.upstream?.model ?? ctx.request.target.model });
    // A provider that reports no token counts (Gemini embeddings): the translator's estimate, flagged as one.
    const estimated = usage ? undefined : shape.client.parseUsage(ctx.route, parsed);
    if (estimated) ctx.usage = { ...estimated, estimated: true };
  }
  const raw = shape.translator ? JSON.stringify(parsed) : scrubbed;
  let body: Buffer | string = raw;
  let final = parsed;
  if (deps.responseFilter && ctx.route !== 'embeddings') {
    const text = raw;
    const filtered = deps.responseFilter.filterBody(ctx, text);
    if (filtered !== text) {
      body = filtered;
      final = tryParseJson(filtered);
    }
  }
  if (wantsCapture(deps)) ctx.capturedContent = { ...ctx.capturedContent, completion: shape.client.responseText(ctx.route, final) };
  ctx.pendingResponse = { status: response.statusCode, headers: resultHeaders('application/json', upstreamRequestId), body };
  return undefined;
}

function streamTransforms(ctx: RequestContext, deps: ForwardDeps, secrets: readonly string[]): SseTransform[] {
  const out: SseTransform[] = secrets.length > 0 ? [scrubTransform(secrets)] : [];
  const dlp = deps.responseFilter?.streamTransform(ctx);
  if (dlp) out.push(dlp);
  return out;
}

async function tryAttempt(ctx: RequestContext, deps: ForwardDeps, attempt: RouteAttempt, index: number): Promise<AttemptOutcome> {
  const { provider, model } = attempt;
  const shape = callShape(provider.type, ctx.api, ctx.route);
  if (!shape) throw new GatewayError('upstream_error', `Provider '${provider.name}' cannot serve this endpoint.`);
  const baseUrl = provider.type === 'demo' ? await deps.pool.demoBaseUrl() : provider.baseUrl;
  if (baseUrl === undefined) throw new GatewayError('upstream_error', `Provider '${provider.name}' has no base URL.`);
  // Each attempt translates afresh from the untouched client body (after DLP and budget rewrites).
  const translator = shape.translator;
  const body = translator ? translator.request(ctx.outgoingBody, model, ctx.request.stream) : ctx.outgoingBody;
  // The client's own API headers (`openai-beta`, `anthropic-beta`) mean nothing to another API.
  const clientHeaders = translator ? {} : ctx.req.headers;
  const request = shape.adapter.buildRequest({ route: shape.upstreamRoute, endpoint: provider, baseUrl, model, body, stream: ctx.request.stream, clientHeaders });
  const secrets = upstreamSecrets(request);
  const endpoint = breakerEndpoint(ctx.principal.tenantId, provider.type, baseUrl);
  const admission = deps.breakers?.admit(endpoint);
  if (admission && !admission.allowed) {
    ctx.upstream = { provider: provider.name, model, status: 0, latencyMs: 0, attempts: index };
    const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    return new GatewayError('upstream_error', `Provider '${provider.name}' is failing; it is skipped for ${seconds} s (circuit open).`, { headers: { 'retry-after': String(seconds) } });
  }
  const signal = ctx.clientAbort;
  const startedAt = performance.now();
  let response: UpstreamResponse;
  try {
    response = await deps.pool.send(request, {
      signal,
      headersTimeoutMs: provider.timeoutMs ?? deps.upstream.firstByteTimeoutMs,
      bodyTimeoutMs: provider.timeoutMs ?? deps.upstream.idleTimeoutMs,
      ssrfGuard: provider.type !== 'demo' && deps.trustedBaseUrls?.needsGuard(ctx.principal.tenantId, provider.name, baseUrl),
    });
  } catch (err) {
    // Recorded so audit names the provider that failed even when no HTTP status came back.
    ctx.upstream = { provider: provider.name, model, api: shape.adapter.api, status: 0, latencyMs: performance.now() - startedAt, attempts: index };
    if (signal.aborted) throw clientGone(err);
    deps.breakers?.failure(endpoint);
    return mapUpstreamError(err, provider.name);
  }
  if (response.statusCode >= 500) deps.breakers?.failure(endpoint);
  else deps.breakers?.success(endpoint);
  const upstreamRequestId = plainUpstreamRequestId(header(response.headers, 'x-request-id') ?? header(response.headers, 'request-id'), secrets);
  const result: UpstreamResult = { provider: provider.name, model, api: shape.adapter.api, status: response.statusCode, latencyMs: 0, attempts: index, ...(upstreamRequestId === undefined ? {} : { requestId: upstreamRequestId }) };
  ctx.upstream = result;
  try {
    if (response.statusCode >= 400) return await handleErrorStatus(ctx, deps, shape, response, result, upstreamRequestId, secrets);
    const contentType = header(response.headers, 'content-type') ?? '';
    if (ctx.request.stream && contentType.startsWith('text/event-stream')) {
      const outcome = await relayStream({
        ctx, shape, body: response.body, result, startedAt, upstreamRequestId,
        extraTransforms: streamTransforms(ctx, deps, secrets),
        capture: wantsCapture(deps),
      });
      return outcome.kind === 'retry' ? outcome.error : undefined;
    }
    return await handleJson(ctx, deps, shape, response, upstreamRequestId, secrets);
  } catch (err) {
    response.body.destroy();
    if (err instanceof GatewayError) throw err;
    if (signal.aborted) throw clientGone(err);
    return mapUpstreamError(err, provider.name, 'body');
  } finally {
    if (!ctx.request.stream || result.latencyMs === 0) result.latencyMs = performance.now() - startedAt;
  }
}

/**
 * Stage `forward`: tries the route plan in order. Connect errors, timeouts, 429 and 5xx fall
 * back to the next attempt, but only while nothing has reached the client. Each attempt
 * serialises the outgoing body afresh (with the attempt's model), so a fallback never sees a
 * half-mutated body. Non-stream answers go to `ctx.pendingResponse` (the runner writes them
 * after audit); streams are relayed as they arrive, terminal frames held in `ctx.heldTail`.
 */
export function createForwardStage(deps: ForwardDeps): Stage {
  return {
    name: 'forward',
    async run(ctx: RequestContext) {
      const plan = ctx.plan;
      let lastError: GatewayError | undefined;
      for (let i = 0; i < plan.attempts.length; i++) {
        const attempt = plan.attempts[i] as RouteAttempt;
        if (ctx.clientAbort.aborted) throw clientGone();
        const failure = await tryAttempt(ctx, deps, attempt, i + 1);
        if (failure === undefined) return;
        lastError = failure;
        deps.logger.warn({ requestId: ctx.requestId, provider: attempt.provider.name, model: attempt.model, attempt: i + 1, code: failure.code, status: ctx.upstream?.status }, 'upstream attempt failed');
      }
      throw lastError ?? new GatewayError('upstream_error', 'No provider could serve the request.');
    },
  };
}
