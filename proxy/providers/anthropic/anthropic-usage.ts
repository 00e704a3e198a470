import type { TokenUsage } from '../../core/vocabulary.js';
import { count, isObject } from '../json-fields.js';

/** Running Anthropic usage: `message_start` sets input and cache counts, `message_delta` the cumulative output. */
export interface AnthropicUsageCounts {
  input: number;
  cacheRead: number;
  cacheCreation: number;
  output: number;
}

/** Folds one `usage` object into the counts (fields absent from it keep their value). */
export function mergeAnthropicUsage(into: AnthropicUsageCounts, usage: unknown): void {
  if (!isObject(usage)) return;
  if (typeof usage['input_tokens'] === 'number') into.input = count(usage['input_tokens']);
  if (typeof usage['cache_read_input_tokens'] === 'number') into.cacheRead = count(usage['cache_read_input_tokens']);
  if (typeof usage['cache_creation_input_tokens'] === 'number') into.cacheCreation = count(usage['cache_creation_input_tokens']);
  if (typeof usage['output_tokens'] === 'number') into.output = count(usage['output_tokens']);
}

/**
 * Anthropic's `input_tokens` excludes cached tokens; the gateway's `inputTokens` is the total
 * input (input + cache read + cache creation), matching the OpenAI meaning.
 */
export function toTokenUsage(c: AnthropicUsageCounts, estimated: boolean): TokenUsage {
  const out: TokenUsage = { inputTokens: c.input + c.cacheRead + c.cacheCreation, outputTokens: c.output };
  const withCache = c.cacheRead > 0 ? { ...out, cachedInputTokens: c.cacheRead } : out;
  return estimated ? { ...withCache, estimated: true } : withCache;
}

/** Usage of a complete (non-stream) Message. */
export function messageUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const c: AnthropicUsageCounts = { input: 0, cacheRead: 0, cacheCreation: 0, output: 0 };
  mergeAnthropicUsage(c, usage);
  return toTokenUsage(c, false);
}
