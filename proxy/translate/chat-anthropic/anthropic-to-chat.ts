import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { chatUsage, finishReason } from '../anthropic-openai-vocabulary.js';

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
