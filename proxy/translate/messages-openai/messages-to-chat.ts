import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { isReasoningModel } from '../../client-apis/chat/chat-format.js';
import { toDataUrl } from '../data-url.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';

/**
 * Anthropic Messages request → OpenAI Chat Completions request (WIRE.md §7, read backwards):
 * `system` becomes one leading system message; `tool_use` blocks become `tool_calls` (input
 * serialised as the arguments string); each `tool_result` block becomes a `tool` message placed
 * before the rest of its user turn; images become `image_url` parts (base64 as a data URL).
 * Thinking blocks of earlier answers are the model's own scratch work and are not resent.
 */

const IGNORED = new Set(['model', 'messages', 'system', 'max_tokens', 'stream', 'metadata', 'temperature', 'top_p', 'stop_sequences', 'tools', 'tool_choice', 'thinking', 'service_tier']);

function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content blocks.');
  return content
    .map((block, i) => {
      if (!isObject(block) || block['type'] !== 'text' || typeof block['text'] !== 'string') throw untranslatable(`${param}[${i}]`, 'only text blocks are allowed here.');
      return block['text'];
    })
    .join('\n');
}

function imagePart(block: JsonObject, param: string): JsonObject {
  const source = isObject(block['source']) ? block['source'] : {};
  if (source['type'] === 'base64' && typeof source['media_type'] === 'string' && typeof source['data'] === 'string') {
    return { type: 'image_url', image_url: { url: toDataUrl(source['media_type'], source['data']) } };
  }
  if (source['type'] === 'url' && typeof source['url'] === 'string') return { type: 'image_url', image_url: { url: source['url'] } };
  throw untranslatable(`${param}.source`, 'only base64 and url image sources translate.');
}

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
        parts.push(imagePart(block, at));
        return;
      case 'tool_result':
        tools.push({ role: 'tool', tool_call_id: block['tool_use_id'], content: textOf(block['content'] ?? '', `${at}.content`) });
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

function tools(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) throw malformed('tools', 'must be an array.');
  return value.map((tool, i) => {
    if (!isObject(tool) || (tool['type'] !== undefined && tool['type'] !== 'custom') || !isObject(tool['input_schema'])) {
      throw untranslatable(`tools[${i}]`, 'only client tools with an input_schema translate (no server tools).');
    }
    const fn: JsonObject = { name: tool['name'], parameters: tool['input_schema'] };
    if (typeof tool['description'] === 'string') fn['description'] = tool['description'];
    return { type: 'function', function: fn };
  });
}

function toolChoice(value: unknown, out: JsonObject): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw malformed('tool_choice', 'must be an object.');
  const type = value['type'];
  if (type === 'auto') out['tool_choice'] = 'auto';
  else if (type === 'any') out['tool_choice'] = 'required';
  else if (type === 'none') out['tool_choice'] = 'none';
  else if (type === 'tool' && typeof value['name'] === 'string') out['tool_choice'] = { type: 'function', function: { name: value['name'] } };
  else throw untranslatable('tool_choice.type', 'use auto, any, none or tool.');
  if (value['disable_parallel_tool_use'] === true) out['parallel_tool_calls'] = false;
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
    const said = textOf(system, 'system');
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
  if (body['tools'] !== undefined && body['tools'] !== null) out['tools'] = tools(body['tools']);
  toolChoice(body['tool_choice'], out);
  return out;
}
