import type { TokenUsage } from '../../core/vocabulary.js';
import { count, isObject } from '../json-fields.js';

/**
 * Chat Completions and Embeddings usage. `prompt_tokens` already includes cached tokens;
 * the gateway's `inputTokens` is the total input, `cachedInputTokens` the cached part.
 */
export function chatUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const details = usage['prompt_tokens_details'];
  const cached = isObject(details) ? count(details['cached_tokens']) : 0;
  const out: TokenUsage = { inputTokens: count(usage['prompt_tokens']), outputTokens: count(usage['completion_tokens']) };
  return cached > 0 ? { ...out, cachedInputTokens: cached } : out;
}

/** Responses API usage (`input_tokens` includes cached tokens, as on chat). */
export function responsesUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const details = usage['input_tokens_details'];
  const cached = isObject(details) ? count(details['cached_tokens']) : 0;
  const out: TokenUsage = { inputTokens: count(usage['input_tokens']), outputTokens: count(usage['output_tokens']) };
  return cached > 0 ? { ...out, cachedInputTokens: cached } : out;
}
