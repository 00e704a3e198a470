import { count, isObject, type JsonObject } from '../../providers/json-fields.js';
import { messageItem, responseFrame } from '../responses-output.js';

/** Anthropic → OpenAI Responses vocabulary shared by the complete answer and the stream of this pair. */

/** Responses usage: input includes cache reads and writes (the OpenAI meaning), cached = reads. */
export function responsesUsage(usage: unknown): JsonObject {
  const u = isObject(usage) ? usage : {};
  const cached = count(u['cache_read_input_tokens']);
  const input = count(u['input_tokens']) + cached + count(u['cache_creation_input_tokens']);
  const output = count(u['output_tokens']);
  return { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

/** `status` and `incomplete_details` of a finished response from Anthropic's stop reason. */
export function completion(stopReason: unknown): { status: string; incomplete_details: JsonObject | null } {
  if (stopReason === 'max_tokens' || stopReason === 'model_context_window_exceeded') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (stopReason === 'refusal') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function callItem(block: JsonObject, args: string, status: string): JsonObject {
  return { type: 'function_call', id: `fc_${String(block['id'])}`, call_id: block['id'], name: block['name'], arguments: args, status };
}

/** A complete Anthropic Message as a Responses `response` object. */
export function messageToResponse(message: JsonObject): JsonObject {
  const id = String(message['id'] ?? '');
  const output: JsonObject[] = [];
  let text = '';
  for (const block of Array.isArray(message['content']) ? message['content'] : []) {
    if (!isObject(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') text += block['text'];
    else if (block['type'] === 'tool_use') output.push(callItem(block, JSON.stringify(block['input'] ?? {}), 'completed'));
  }
  if (text.length > 0) output.unshift(messageItem(`msg_${id}`, text, 'completed'));
  return { ...responseFrame(`resp_${id}`, String(message['model'] ?? ''), Math.floor(Date.now() / 1000)), ...completion(message['stop_reason']), output, usage: responsesUsage(message['usage']) };
}
