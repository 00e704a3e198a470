import type { TokenUsage } from '../../core/vocabulary.js';
import { count, isObject } from '../json-fields.js';

/**
 * Gemini `usageMetadata` (WIRE-GEMINI.md §3): `promptTokenCount` already includes
 * `cachedContentTokenCount`; `candidatesTokenCount` excludes thinking, which is billed as
 * output, so output = candidates + thoughts (one rule, as envoy and LiteLLM do). Tool-use
 * prompt tokens are input.
 */
export function geminiUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const cached = count(usage['cachedContentTokenCount']);
  const out: TokenUsage = {
    inputTokens: count(usage['promptTokenCount']) + count(usage['toolUsePromptTokenCount']),
    outputTokens: count(usage['candidatesTokenCount']) + count(usage['thoughtsTokenCount']),
  };
  return cached > 0 ? { ...out, cachedInputTokens: cached } : out;
}
