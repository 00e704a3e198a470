import { count, isObject, type JsonObject } from '../../providers/json-fields.js';

/** Anthropic → OpenAI chat vocabulary shared by the complete answer and the stream of this pair. */

/** `stop_reason` → `finish_reason` (WIRE.md §7; unknown values → `stop`, as LiteLLM does). */
export function finishReason(stopReason: unknown): string {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Anthropic usage → OpenAI usage: prompt tokens include cache reads and writes, cached tokens are the reads. */
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

/** A complete Anthropic Message as a `chat.completion`. Thinking blocks are never shown as answer text. */
export function messageToChat(message: JsonObject): JsonObject {
  let content = '';
  const toolCalls: JsonObject[] = [];
  for (const block of Array.isArray(message['content']) ? message['content'] : []) {
    if (!isObject(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') content += block['text'];
    else if (block['type'] === 'tool_use') toolCalls.push({ id: block['id'], type: 'function', function: { name: block['name'], arguments: JSON.stringify(block['input'] ?? {}) } });
  }
  const reply: JsonObject = { role: 'assistant', content: content.length > 0 || toolCalls.length === 0 ? content : null, refusal: null, annotations: [] };
  if (toolCalls.length > 0) reply['tool_calls'] = toolCalls;
  return {
    id: message['id'],
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: message['model'],
    choices: [{ index: 0, message: reply, logprobs: null, finish_reason: finishReason(message['stop_reason']) }],
    usage: chatUsage(message['usage']),
  };
}
