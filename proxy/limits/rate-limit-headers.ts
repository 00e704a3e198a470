import { formatGoDuration } from './go-duration.js';
import type { AdmitResult, DimensionState } from './rate-limit-store.js';

/**
 * OpenAI's rate-limit headers for the most constraining configured limit of each dimension:
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, resets as Go durations. `reset` is
 * the time until the oldest request (or token entry) in the window leaves it, i.e. until
 * capacity starts to come back; `retry-after` on a 429 says when this request would fit.
 */
export function rateLimitHeaders(result: AdmitResult): Record<string, string> {
  const headers: Record<string, string> = {};
  if (result.requests) add(headers, 'requests', result.requests);
  if (result.tokens) add(headers, 'tokens', result.tokens);
  return headers;
}

function add(headers: Record<string, string>, dimension: string, state: DimensionState): void {
  headers[`x-ratelimit-limit-${dimension}`] = String(state.limit);
  headers[`x-ratelimit-remaining-${dimension}`] = String(state.remaining);
  headers[`x-ratelimit-reset-${dimension}`] = formatGoDuration(state.resetMs);
}
