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
  if (result.requests) add(headers, REQUESTS, result.requests);
  if (result.tokens) add(headers, TOKENS, result.tokens);
  return headers;
}

interface HeaderNames {
  readonly limit: string;
  readonly remaining: string;
  readonly reset: string;
}

// Built once: these headers go out on every admitted request.
const REQUESTS: HeaderNames = { limit: 'x-ratelimit-limit-requests', remaining: 'x-ratelimit-remaining-requests', reset: 'x-ratelimit-reset-requests' };
const TOKENS: HeaderNames = { limit: 'x-ratelimit-limit-tokens', remaining: 'x-ratelimit-remaining-tokens', reset: 'x-ratelimit-reset-tokens' };

function add(headers: Record<string, string>, names: HeaderNames, state: DimensionState): void {
  headers[names.limit] = String(state.limit);
  headers[names.remaining] = String(state.remaining);
  headers[names.reset] = formatGoDuration(state.resetMs);
}
