import type { RequestContext } from '../pipeline/context.js';
import type { SseTransform } from './sse-types.js';

/**
 * How other stages shape what forward sends back, without reaching into forward:
 * a stage that runs before forward registers per-request factories here.
 */

/** Builds one request's stream transform (runs after usage capture, before the client). */
export type ResponseTransformFactory = (ctx: RequestContext) => SseTransform;
/** Rewrites a complete non-stream body (may throw a GatewayError to refuse it). */
export type ResponseBodyFilter = (ctx: RequestContext, body: string) => string;

export const RESPONSE_TRANSFORMS_KEY = 'responseTransforms';
export const RESPONSE_BODY_FILTERS_KEY = 'responseBodyFilters';
/** Set to `true` in stageState to capture the completion text into `ctx.capturedContent`. */
export const CAPTURE_CONTENT_KEY = 'captureContent';

function listOf<T>(ctx: RequestContext, key: string): T[] {
  let list = ctx.stageState.get(key) as T[] | undefined;
  if (!list) {
    list = [];
    ctx.stageState.set(key, list);
  }
  return list;
}

/** Adds a stream transform for this request (applied in registration order). */
export function addResponseTransform(ctx: RequestContext, factory: ResponseTransformFactory): void {
  listOf<ResponseTransformFactory>(ctx, RESPONSE_TRANSFORMS_KEY).push(factory);
}

/** Adds a non-stream body filter for this request (applied in registration order). */
export function addResponseBodyFilter(ctx: RequestContext, filter: ResponseBodyFilter): void {
  listOf<ResponseBodyFilter>(ctx, RESPONSE_BODY_FILTERS_KEY).push(filter);
}

export function responseTransformFactories(ctx: RequestContext): readonly ResponseTransformFactory[] {
  return (ctx.stageState.get(RESPONSE_TRANSFORMS_KEY) as ResponseTransformFactory[] | undefined) ?? [];
}

export function responseBodyFilters(ctx: RequestContext): readonly ResponseBodyFilter[] {
  return (ctx.stageState.get(RESPONSE_BODY_FILTERS_KEY) as ResponseBodyFilter[] | undefined) ?? [];
}

/**
 * A tenant-wide response filter wired by the server (response-side DLP). Each hook returns
 * undefined / the same body when the tenant does not scan responses.
 */
export interface ResponseFilter {
  streamTransform(ctx: RequestContext): SseTransform | undefined;
  filterBody(ctx: RequestContext, body: string): string;
  /** Redacts (or refuses) a plain text of the answer, e.g. a provider's error message. */
  filterText?(ctx: RequestContext, text: string): string;
}
