import { isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import { anthropicUsage, stopReason } from '../anthropic-openai-vocabulary.js';

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
