import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { isReasoningModel } from '../../client-apis/chat/chat-format.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { blockSourceUrl, messagesText, messagesTools, messagesToolChoice } from '../messages-request.js';
import type { FunctionTool } from '../tool-vocabulary.js';

/**
 * Anthropic Messages request → OpenAI Chat Completions request (WIRE.md §7, read backwards):
 * `system` becomes one leading system message; `tool_use` blocks become `tool_calls` (input
 * serialised as the arguments string); each `tool_result` block becomes a `tool` message placed
 * before the rest of its user turn; images become `image_url` parts (base64 as a data URL).
 * Thinking blocks of earlier answers are the model's own scratch work and are not resent.
 */

const IGNORED = new Set(['model', 'messages', 'system', 'max_tokens', 'stream', 'metadata', 'temperature', 'top_p', 'stop_sequences', 'tools', 'tool_choice', 'thinking', 'service_tier']);

function userMessages(content: unknown, param: string): JsonObject[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content blocks.');
  const tools: JsonObject[] = [];
  const parts: JsonObject[] = [];
  content.forEach((block, i) => {
    const at = `${param}[${i}]`;
    if (!isObject(block)) throw malformed(at, 'must be an object.');
    switch (block['type']) {
      case 'text':
        parts.push({ type: 'text', text: String(block['text'] ?? '') });
        return;
      case 'image':
        parts.push({ type: 'image_url', image_url: { url: blockSourceUrl(block, at).url } });
        return;
      case 'tool_result':
        tools.push({ role: 'tool', tool_call_id: block['tool_use_id'], content: messagesText(block['content'] ?? '', `${at}.content`) });
        return;
      default:
        throw untranslatable(`${at}.type`, `content block '${String(block['type'])}' has no OpenAI chat equivalent.`);
    }
  });
  return parts.length > 0 ? [...tools, { role: 'user', content: parts }] : tools;
}

function assistantMessage(content: unknown, param: string): JsonObject {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content blocks.');
  let said = '';
  const calls: JsonObject[] = [];
  content.forEach((block, i) => {
    const at = `${param}[${i}]`;
    if (!isObject(block)) throw malformed(at, 'must be an object.');
    if (block['type'] === 'text') said += String(block['text'] ?? '');
    else if (block['type'] === 'tool_use') calls.push({ id: block['id'], type: 'function', function: { name: block['name'], arguments: JSON.stringify(block['input'] ?? {}) } });
    else if (block['type'] !== 'thinking' && block['type'] !== 'redacted_thinking') throw untranslatable(`${at}.type`, `content block '${String(block['type'])}' has no OpenAI chat equivalent.`);
  });
  const out: JsonObject = { role: 'assistant', content: said.length > 0 ? said : null };
  if (calls.length > 0) out['tool_calls'] = calls;
  return out;
}

/** OpenAI chat's `tools` entry for a function tool. */
function chatTool(tool: FunctionTool): JsonObject {
  const fn: JsonObject = { name: tool.name, parameters: tool.schema };
  if (typeof tool.description === 'string') fn['description'] = tool.description;
  return { type: 'function', function: fn };
}

/** OpenAI chat's `tool_choice` (and `parallel_tool_calls: false`) from Anthropic's. */
function toolChoice(value: unknown, out: JsonObject): void {
  const { choice, parallel } = messagesToolChoice(value);
  if (choice?.named !== undefined) out['tool_choice'] = { type: 'function', function: { name: choice.named } };
  else if (choice) out['tool_choice'] = choice.mode;
  if (parallel === false) out['parallel_tool_calls'] = false;
}

function refuseUnsupported(body: Readonly<JsonObject>): void {
  refuseUnmapped(body, IGNORED, 'OpenAI chat');
  const thinking = body['thinking'];
  if (isObject(thinking) && thinking['type'] !== 'disabled') throw untranslatable('thinking', 'extended thinking has no OpenAI chat equivalent.');
}

/** The OpenAI chat body for `model` from an Anthropic Messages body. */
export function messagesToChat(body: Readonly<JsonObject>, model: string, stream: boolean): JsonObject {
  refuseUnsupported(body);
  const messages: JsonObject[] = [];
  const system = body['system'];
  if (system !== undefined && system !== null) {
    const said = messagesText(system, 'system');
    if (said.length > 0) messages.push({ role: 'system', content: said });
  }
  const turns = body['messages'];
  if (!Array.isArray(turns)) throw malformed('messages', 'is required and must be an array.');
  turns.forEach((turn, i) => {
    const param = `messages[${i}]`;
    if (!isObject(turn)) throw malformed(param, 'must be an object.');
    if (turn['role'] === 'user') messages.push(...userMessages(turn['content'], `${param}.content`));
    else if (turn['role'] === 'assistant') messages.push(assistantMessage(turn['content'], `${param}.content`));
    else throw untranslatable(`${param}.role`, `role '${String(turn['role'])}' has no OpenAI chat equivalent.`);
  });
  const out: JsonObject = { model, messages };
  out[isReasoningModel(model) ? 'max_completion_tokens' : 'max_tokens'] = body['max_tokens'];
  if (stream) out['stream'] = true;
  for (const field of ['temperature', 'top_p'] as const) if (typeof body[field] === 'number') out[field] = body[field];
  const stop = body['stop_sequences'];
  if (Array.isArray(stop) && stop.length > 0) out['stop'] = stop;
  const metadata = body['metadata'];
  if (isObject(metadata) && typeof metadata['user_id'] === 'string') out['user'] = metadata['user_id'];
  if (body['tools'] !== undefined && body['tools'] !== null) out['tools'] = messagesTools(body['tools']).map(chatTool);
  toolChoice(body['tool_choice'], out);
  return out;
}
