import type { RequestContext } from '../pipeline/context.js';
import { clientFormat } from '../client-apis/client-formats.js';

/**
 * The most output tokens a request can be billed for: the client's cap (`max_tokens`,
 * `max_completion_tokens`, `max_output_tokens`) times `n` choices, or, when the client set no
 * cap, `defaultMaxTokens` — which {@link enforceDefaultOutputCap} then writes into the
 * forwarded body so the provider honours the same bound. Embeddings produce no output tokens.
 */
export function outputTokenBound(ctx: RequestContext, defaultMaxTokens: number | undefined): number {
  const request = ctx.peekRequest();
  if (!request || ctx.route === 'embeddings' || ctx.route === 'models') return 0;
  const cap = request.maxTokens ?? defaultMaxTokens ?? 0;
  return cap * choiceCount(ctx);
}

/**
 * Writes `defaultMaxTokens` into the forwarded body when the client set no output cap, in the
 * field the route's API reads: Chat Completions `max_tokens` (or `max_completion_tokens` for
 * reasoning models, which reject `max_tokens`), Responses `max_output_tokens`, Messages
 * `max_tokens`. Returns the field written, if any.
 */
export function enforceDefaultOutputCap(ctx: RequestContext, defaultMaxTokens: number): string | undefined {
  const request = ctx.peekRequest();
  if (!request || request.maxTokens !== undefined) return undefined;
  const field = clientFormat(ctx.route)?.capField(request.target.model);
  if (!field) return undefined;
  ctx.mutableBody()[field] = defaultMaxTokens;
  return field;
}

function choiceCount(ctx: RequestContext): number {
  if (ctx.route !== 'chat') return 1;
  const n = ctx.outgoingBody['n'];
  return typeof n === 'number' && Number.isInteger(n) && n > 1 ? n : 1;
}
