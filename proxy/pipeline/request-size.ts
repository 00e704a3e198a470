import type { RequestContext } from './context.js';
import { estimateBodyInputTokens } from '../limits/token-estimate.js';
import { TokenCountCache } from '../limits/bpe-count.js';
import { outputTokenBound as boundOf } from '../limits/output-cap.js';
import { clientFormat } from '../client-apis/client-formats.js';

/**
 * The request's size in tokens as limit, budget and settle need it, read from the context here
 * so the limits library only ever sees plain values (a route, a body, a model, a cap).
 */

const inputCache = new WeakMap<RequestContext, number>();
/**
 * One per process, shared by every gateway in it: a memo of a pure function (the count of a
 * text), so sharing changes no answer, only how often a repeated part is tokenized again.
 */
const partCounts = new TokenCountCache();

/** Input tokens of the request as it will be forwarded (after DLP redaction); computed once per request. */
export function estimateInputTokens(ctx: RequestContext): number {
  const hit = inputCache.get(ctx);
  if (hit !== undefined) return hit;
  const request = ctx.peekRequest();
  const tenant = ctx.peekPrincipal()?.tenantId;
  const cached = tenant === undefined ? undefined : { cache: partCounts, tenant };
  const value = request ? estimateBodyInputTokens(ctx.route, ctx.outgoingBody, request.target.model, cached) : 0;
  inputCache.set(ctx, value);
  return value;
}

/** The most output tokens the request can be billed for (see `limits/output-cap.ts`). */
export function outputTokenBound(ctx: RequestContext, defaultMaxTokens: number | undefined): number {
  const request = ctx.peekRequest();
  const format = clientFormat(ctx.route);
  if (!request || !format) return 0;
  return boundOf({ maxTokens: request.maxTokens, choices: format.outputCount(ctx.outgoingBody) }, defaultMaxTokens);
}

/**
 * Writes `defaultMaxTokens` into the forwarded body when the client set no output cap, in the
 * field the client API reads (its format says which). Returns the field written, if any.
 */
export function enforceDefaultOutputCap(ctx: RequestContext, defaultMaxTokens: number): string | undefined {
  const request = ctx.peekRequest();
  if (!request || request.maxTokens !== undefined) return undefined;
  const field = clientFormat(ctx.route)?.capField(request.target.model);
  if (!field) return undefined;
  ctx.mutableBody()[field] = defaultMaxTokens;
  return field;
}
