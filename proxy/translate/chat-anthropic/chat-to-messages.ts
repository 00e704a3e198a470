import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { chatText, chatToolCall, chatToolChoice, chatTools, walkChatMessages } from '../chat-request.js';
import { anthropicContent, anthropicMedia, anthropicTool, anthropicToolChoice, DEFAULT_MAX_TOKENS, pushTurn, type AnthropicBlock, type AnthropicTurn } from '../anthropic-request.js';

/**
 * OpenAI Chat Completions request → Anthropic Messages request (WIRE.md §7). System and
 * developer messages are hoisted into `system`; tool results become `tool_result` blocks in one
 * user turn (consecutive ones merged, as Anthropic wants them right after the `tool_use` turn);
 * `max_tokens` defaults to {@link DEFAULT_MAX_TOKENS} because Anthropic requires it.
 */

/** Fields that change nothing Anthropic could do differently, or that only the gateway reads. */
const IGNORED = new Set(['model', 'messages', 'stream', 'stream_options', 'store', 'metadata', 'service_tier', 'max_tokens', 'max_completion_tokens', 'user', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'n', 'presence_penalty', 'frequency_penalty']);

function userPart(part: JsonObject, param: string): AnthropicBlock | undefined {
  if (part['type'] === 'text' && typeof part['text'] === 'string') return { type: 'text', text: part['text'] };
  if (part['type'] !== 'image_url') return undefined;
  const image = part['image_url'];
  const url = isObject(image) ? image['url'] : image;
  if (typeof url !== 'string') throw malformed(`${param}.image_url.url`, 'is required.');
  return anthropicMedia(url, `${param}.image_url.url`);
}

function assistantBlocks(message: JsonObject, param: string): AnthropicBlock[] {
  const out: AnthropicBlock[] = [];
  const content = message['content'];
  // Anthropic rejects empty text blocks, so empty text beside tool calls is dropped.
  if (content !== undefined && content !== null) {
    const said = chatText(content, `${param}.content`);
    if (said.length > 0) out.push({ type: 'text', text: said });
  }
  const calls = message['tool_calls'];
  if (Array.isArray(calls)) {
    calls.forEach((call, j) => {
      const { id, name, args } = chatToolCall(call, `${param}.tool_calls[${j}]`);
      out.push({ type: 'tool_use', id, name, input: args });
    });
  }
  if (message['function_call'] !== undefined && message['function_call'] !== null) throw untranslatable(`${param}.function_call`, 'use tool_calls.');
  return out;
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
  const turns: AnthropicTurn[] = [];
  const system = walkChatMessages(body, 'Anthropic', {
    user: (m, param) => pushTurn(turns, 'user', anthropicContent(m['content'], `${param}.content`, userPart)),
    assistant: (m, param) => pushTurn(turns, 'assistant', assistantBlocks(m, param)),
    tool: (m, param) => pushTurn(turns, 'user', [{ type: 'tool_result', tool_use_id: m['tool_call_id'], content: chatText(m['content'] ?? '', `${param}.content`) }]),
  });
  const out: JsonObject = { model, messages: turns, max_tokens: body['max_completion_tokens'] ?? body['max_tokens'] ?? DEFAULT_MAX_TOKENS };
  if (system.length > 0) out['system'] = system.map((text) => ({ type: 'text', text }));
  if (stream) out['stream'] = true;
  for (const field of ['temperature', 'top_p'] as const) if (typeof body[field] === 'number') out[field] = body[field];
  const stop = body['stop'];
  if (typeof stop === 'string') out['stop_sequences'] = [stop];
  else if (Array.isArray(stop) && stop.length > 0) out['stop_sequences'] = stop;
  if (typeof body['user'] === 'string') out['metadata'] = { user_id: body['user'] };
  if (body['tools'] !== undefined && body['tools'] !== null) out['tools'] = chatTools(body['tools']).map(anthropicTool);
  const choice = anthropicToolChoice(chatToolChoice(body['tool_choice']), body['parallel_tool_calls']);
  if (choice) out['tool_choice'] = choice;
  return out;
}
