import { count, isObject, type JsonObject } from '../providers/json-fields.js';

/**
 * The words Anthropic and OpenAI chat use for the same facts (WIRE.md §7), in both directions:
 * stop reasons, usage counts, mid-stream error types. Anthropic → chat and chat → Anthropic
 * pairs read the same table, so a mapping fixed in one direction is fixed in the other.
 */

/**
 * `[Anthropic stop_reason, OpenAI finish_reason]`, first match wins in either direction; values
 * no row names are `end_turn`/`stop` (LiteLLM's choice for unknown values), so `stop_sequence`
 * and `pause_turn` become `stop`, and `stop` comes back as `end_turn` (the difference is lost).
 */
const REASONS: readonly (readonly [string, string])[] = [
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['tool_use', 'function_call'],
  ['refusal', 'content_filter'],
];

/** Anthropic `stop_reason` → OpenAI `finish_reason`. */
export function finishReason(stopReason: unknown): string {
  return REASONS.find(([anthropic]) => anthropic === stopReason)?.[1] ?? 'stop';
}

/** OpenAI `finish_reason` → Anthropic `stop_reason` (`stop_sequence` vs `end_turn` is not knowable). */
export function stopReason(finish: unknown): string {
  return REASONS.find(([, openai]) => openai === finish)?.[0] ?? 'end_turn';
}

/** Anthropic usage → OpenAI chat usage: prompt tokens include cache reads and writes, cached tokens are the reads. */
export function chatUsage(usage: unknown): JsonObject {
  const u = isObject(usage) ? usage : {};
  const cacheRead = count(u['cache_read_input_tokens']);
  const prompt = count(u['input_tokens']) + cacheRead + count(u['cache_creation_input_tokens']);
  const completion = count(u['output_tokens']);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** OpenAI chat usage → Anthropic usage: `input_tokens` excludes the cached part, reported as cache reads. */
export function anthropicUsage(usage: unknown): JsonObject {
  const u = isObject(usage) ? usage : {};
  const details = isObject(u['prompt_tokens_details']) ? u['prompt_tokens_details'] : {};
  const cached = count(details['cached_tokens']);
  return { input_tokens: Math.max(0, count(u['prompt_tokens']) - cached), cache_creation_input_tokens: 0, cache_read_input_tokens: cached, output_tokens: count(u['completion_tokens']) };
}

/** OpenAI's `error.type` for an Anthropic error type (mid-stream errors). */
export function openAiErrorType(anthropicType: unknown): string {
  switch (anthropicType) {
    case 'rate_limit_error':
      return 'rate_limit_exceeded';
    case 'authentication_error':
    case 'permission_error':
    case 'invalid_request_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'invalid_request_error';
    default:
      return 'server_error';
  }
}

/** Anthropic's `error.type` for an OpenAI error (mid-stream errors). */
export function anthropicErrorType(openAiType: unknown, code: unknown): string {
  if (openAiType === 'rate_limit_exceeded' || code === 'rate_limit_exceeded' || openAiType === 'tokens' || openAiType === 'requests') return 'rate_limit_error';
  if (openAiType === 'invalid_request_error') return 'invalid_request_error';
  return 'api_error';
}
