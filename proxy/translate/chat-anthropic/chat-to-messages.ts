import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { isHttpUrl, parseDataUrl } from '../data-url.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { anthropicTool, anthropicToolChoice, pushTurn, type AnthropicBlock, type AnthropicTurn } from '../anthropic-request.js';

/**
 * OpenAI Chat Completions request → Anthropic Messages request (WIRE.md §7). System and
 * developer messages are hoisted into `system`; tool results become `tool_result` blocks in one
 * user turn (consecutive ones merged, as Anthropic wants them right after the `tool_use` turn);
 * `max_tokens` defaults to {@link DEFAULT_MAX_TOKENS} because Anthropic requires it.
 */

/** LiteLLM's `DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS`: Anthropic refuses a request without a cap. */
export const DEFAULT_MAX_TOKENS = 4096;

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** Fields that change nothing Anthropic could do differently, or that only the gateway reads. */
const IGNORED = new Set(['model', 'messages', 'stream', 'stream_options', 'store', 'metadata', 'service_tier', 'max_tokens', 'max_completion_tokens', 'user', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'n', 'presence_penalty', 'frequency_penalty']);

type Block = AnthropicBlock;
type Turn = AnthropicTurn;

function text(value: unknown, param: string): string {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw malformed(param, 'must be a string or an array of text parts.');
  let out = '';
  value.forEach((part, i) => {
    if (!isObject(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') throw untranslatable(`${param}[${i}]`, 'only text parts are allowed here.');
    out += (out.length > 0 ? '\n' : '') + part['text'];
  });
  return out;
}

function imageBlock(part: JsonObject, param: string): Block {
  const image = part['image_url'];
  const url = isObject(image) ? image['url'] : typeof image === 'string' ? image : undefined;
  if (typeof url !== 'string') throw malformed(`${param}.image_url.url`, 'is required.');
  const inline = parseDataUrl(url);
  if (inline && IMAGE_TYPES.has(inline.mediaType)) return { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  if (inline && inline.mediaType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  if (!inline && isHttpUrl(url)) return { type: 'image', source: { type: 'url', url } };
  throw untranslatable(`${param}.image_url.url`, 'Anthropic takes http(s) URLs or base64 JPEG, PNG, GIF, WebP and PDF data.');
}

function userBlocks(content: unknown, param: string): Block[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content parts.');
  return content.map((part, j): Block => {
    const at = `${param}[${j}]`;
    if (!isObject(part)) throw malformed(at, 'must be an object.');
    if (part['type'] === 'text' && typeof part['text'] === 'string') return { type: 'text', text: part['text'] };
    if (part['type'] === 'image_url') return imageBlock(part, at);
    throw untranslatable(`${at}.type`, `content part '${String(part['type'])}' has no Anthropic equivalent.`);
  }).filter((b) => b['type'] !== 'text' || b['text'] !== '');
}

function toolUse(call: unknown, param: string): Block {
  if (!isObject(call) || !isObject(call['function'])) throw malformed(param, 'must be a function tool call.');
  const fn = call['function'];
  const raw = typeof fn['arguments'] === 'string' && fn['arguments'].length > 0 ? fn['arguments'] : '{}';
  let input: unknown;
  try {
    input = JSON.parse(raw) as unknown;
  } catch {
    throw malformed(`${param}.function.arguments`, 'is not valid JSON.');
  }
  if (!isObject(input)) throw malformed(`${param}.function.arguments`, 'must be a JSON object.');
  return { type: 'tool_use', id: call['id'], name: fn['name'], input };
}

function assistantBlocks(message: JsonObject, param: string): Block[] {
  const out: Block[] = [];
  const content = message['content'];
  // Anthropic rejects empty text blocks, so empty text beside tool calls is dropped.
  if (content !== undefined && content !== null) {
    const said = Array.isArray(content) ? content.map((p, j) => (isObject(p) && (p['type'] === 'text' || p['type'] === 'refusal') ? String(p['text'] ?? p['refusal'] ?? '') : text([p], `${param}.content[${j}]`))).join('') : text(content, `${param}.content`);
    if (said.length > 0) out.push({ type: 'text', text: said });
  }
  const calls = message['tool_calls'];
  if (Array.isArray(calls)) calls.forEach((call, j) => out.push(toolUse(call, `${param}.tool_calls[${j}]`)));
  if (message['function_call'] !== undefined && message['function_call'] !== null) throw untranslatable(`${param}.function_call`, 'use tool_calls.');
  return out;
}

function convertMessages(messages: readonly unknown[]): { system: Block[]; turns: Turn[] } {
  const system: Block[] = [];
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    if (!isObject(m)) throw malformed(param, 'must be an object.');
    switch (m['role']) {
      case 'system':
      case 'developer': {
        const said = text(m['content'], `${param}.content`);
        if (said.length > 0) system.push({ type: 'text', text: said });
        return;
      }
      case 'user':
        return pushTurn(turns, 'user', userBlocks(m['content'], `${param}.content`));
      case 'assistant':
        return pushTurn(turns, 'assistant', assistantBlocks(m, param));
      case 'tool':
        return pushTurn(turns, 'user', [{ type: 'tool_result', tool_use_id: m['tool_call_id'], content: text(m['content'] ?? '', `${param}.content`) }]);
      default:
        throw untranslatable(`${param}.role`, `role '${String(m['role'])}' has no Anthropic equivalent.`);
    }
  });
  return { system, turns };
}

function tools(value: unknown): Block[] {
  if (!Array.isArray(value)) throw malformed('tools', 'must be an array.');
  return value.map((tool, i) => {
    if (!isObject(tool) || tool['type'] !== 'function' || !isObject(tool['function'])) throw untranslatable(`tools[${i}].type`, 'only function tools translate.');
    return anthropicTool(tool['function']['name'], tool['function']['description'], tool['function']['parameters']);
  });
}

function toolChoice(value: unknown, parallel: unknown): Block | undefined {
  const named = isObject(value) && isObject(value['function']) && typeof value['function']['name'] === 'string' ? value['function']['name'] : undefined;
  if (named === undefined && value !== undefined && value !== null && value !== 'auto' && value !== 'required' && value !== 'none') throw untranslatable('tool_choice', 'use auto, required, none or a named function.');
  return anthropicToolChoice(typeof value === 'string' ? (value as 'auto' | 'required' | 'none') : undefined, named, parallel);
}

function refuseUnsupported(body: Readonly<JsonObject>): void {
  refuseUnmapped(body, IGNORED, 'Anthropic');
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw untranslatable('n', 'Anthropic returns one choice.');
  for (const field of ['presence_penalty', 'frequency_penalty']) {
    const v = body[field];
    if (v !== undefined && v !== null && v !== 0) throw untranslatable(field, 'Anthropic has no equivalent.');
  }
  const temperature = body['temperature'];
  if (typeof temperature === 'number' && temperature > 1) throw untranslatable('temperature', "Anthropic's range is 0 to 1.");
  const format = body['response_format'];
  if (isObject(format) && format['type'] !== 'text') throw untranslatable('response_format', 'Anthropic has no JSON mode; describe the format in the prompt or use a tool.');
}

/** The Anthropic Messages body for `model` from an OpenAI chat body. */
export function chatToMessages(body: Readonly<JsonObject>, model: string, stream: boolean): JsonObject {
  refuseUnsupported(body);
  const messages = body['messages'];
  if (!Array.isArray(messages)) throw malformed('messages', 'is required and must be an array.');
  const { system, turns } = convertMessages(messages);
  const out: JsonObject = { model, messages: turns, max_tokens: body['max_completion_tokens'] ?? body['max_tokens'] ?? DEFAULT_MAX_TOKENS };
  if (system.length > 0) out['system'] = system;
  if (stream) out['stream'] = true;
  for (const field of ['temperature', 'top_p'] as const) if (typeof body[field] === 'number') out[field] = body[field];
  const stop = body['stop'];
  if (typeof stop === 'string') out['stop_sequences'] = [stop];
  else if (Array.isArray(stop) && stop.length > 0) out['stop_sequences'] = stop;
  if (typeof body['user'] === 'string') out['metadata'] = { user_id: body['user'] };
  if (body['tools'] !== undefined && body['tools'] !== null) out['tools'] = tools(body['tools']);
  const choice = toolChoice(body['tool_choice'], body['parallel_tool_calls']);
  if (choice) out['tool_choice'] = choice;
  return out;
}
