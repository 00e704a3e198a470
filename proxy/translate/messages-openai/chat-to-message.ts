import { count, isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';

/** OpenAI chat → Anthropic vocabulary shared by the complete answer and the stream of this pair. */

/** `finish_reason` → `stop_reason` (WIRE.md §7: `stop_sequence` vs `end_turn` is not knowable). */
export function stopReason(finish: unknown): string {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** OpenAI usage → Anthropic usage: `input_tokens` excludes the cached part, reported as cache reads. */
export function anthropicUsage(usage: unknown): JsonObject {
  const u = isObject(usage) ? usage : {};
  const details = isObject(u['prompt_tokens_details']) ? u['prompt_tokens_details'] : {};
  const cached = count(details['cached_tokens']);
  return { input_tokens: Math.max(0, count(u['prompt_tokens']) - cached), cache_creation_input_tokens: 0, cache_read_input_tokens: cached, output_tokens: count(u['completion_tokens']) };
}

/** Anthropic's `error.type` for an OpenAI error (mid-stream errors). */
export function anthropicErrorType(openAiType: unknown, code: unknown): string {
  if (openAiType === 'rate_limit_exceeded' || code === 'rate_limit_exceeded' || openAiType === 'tokens' || openAiType === 'requests') return 'rate_limit_error';
  if (openAiType === 'invalid_request_error') return 'invalid_request_error';
  return 'api_error';
}

/** The tool-use input of an arguments string; `{}` when it is not a JSON object (as peers do). */
export function toolInput(args: unknown): JsonObject {
  const parsed = typeof args === 'string' ? tryParseJson(args) : undefined;
  return isObject(parsed) ? parsed : {};
}

/** A complete `chat.completion` as an Anthropic Message (the first choice). */
export function chatToMessage(completion: JsonObject): JsonObject {
  const choices = Array.isArray(completion['choices']) ? completion['choices'] : [];
  const choice = isObject(choices[0]) ? choices[0] : {};
  const reply = isObject(choice['message']) ? choice['message'] : {};
  const content: JsonObject[] = [];
  if (typeof reply['content'] === 'string' && reply['content'].length > 0) content.push({ type: 'text', text: reply['content'] });
  if (typeof reply['refusal'] === 'string' && reply['refusal'].length > 0) content.push({ type: 'text', text: reply['refusal'] });
  for (const call of Array.isArray(reply['tool_calls']) ? reply['tool_calls'] : []) {
    if (!isObject(call) || !isObject(call['function'])) continue;
    content.push({ type: 'tool_use', id: call['id'], name: call['function']['name'], input: toolInput(call['function']['arguments']) });
  }
  const refused = typeof reply['refusal'] === 'string' && reply['refusal'].length > 0;
  return {
    id: completion['id'],
    type: 'message',
    role: 'assistant',
    model: completion['model'],
    content,
    stop_reason: refused ? 'refusal' : stopReason(choice['finish_reason']),
    stop_sequence: null,
    usage: anthropicUsage(completion['usage']),
  };
}
