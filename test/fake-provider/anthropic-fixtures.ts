import type { FakeBehavior } from './behavior.js';
import { DEFAULT_TEXT, DEFAULT_USAGE, pieces } from './behavior.js';

/** Anthropic Messages wire shapes as documented (docs.claude.com, anthropic-sdk types). */

type Json = Record<string, unknown>;

function usage(b: FakeBehavior, output: number): Json {
  const u = b.usage ?? DEFAULT_USAGE;
  return { input_tokens: u.input, cache_creation_input_tokens: 0, cache_read_input_tokens: u.cached ?? 0, output_tokens: output, service_tier: 'standard' };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error',
};

export function anthropicError(status: number): Json {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: `Fake ${type}.` }, request_id: 'req_fake_error' };
}

function block(b: FakeBehavior): Json {
  return b.toolCall
    ? { type: 'tool_use', id: 'toolu_fake1', name: b.toolCall.name, input: b.toolCall.arguments }
    : { type: 'text', text: b.text ?? DEFAULT_TEXT };
}

export function message(model: string, b: FakeBehavior): Json {
  return {
    id: 'msg_fake1', type: 'message', role: 'assistant', model, content: [block(b)],
    stop_reason: b.toolCall ? 'tool_use' : 'end_turn', stop_sequence: null,
    usage: usage(b, (b.usage ?? DEFAULT_USAGE).output),
  };
}

/** Message stream events as `[event name, payload]`, `message_start` to `message_stop`. */
export function messageStreamEvents(model: string, b: FakeBehavior): [string, string][] {
  const ev = (type: string, fields: Json): [string, string] => [type, JSON.stringify({ type, ...fields })];
  const start = { id: 'msg_fake1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(b, 1) };
  const out: [string, string][] = [ev('message_start', { message: start })];
  if (b.toolCall) {
    out.push(ev('content_block_start', { index: 0, content_block: { ...block(b), input: {} } }));
    const json = JSON.stringify(b.toolCall.arguments);
    for (let i = 0; i < json.length; i += 5) out.push(ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 5) } }));
  } else {
    out.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    out.push(ev('ping', {}));
    for (const piece of pieces(b.text ?? DEFAULT_TEXT)) out.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }));
  }
  out.push(ev('content_block_stop', { index: 0 }));
  out.push(ev('message_delta', { delta: { stop_reason: b.toolCall ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: (b.usage ?? DEFAULT_USAGE).output } }));
  out.push(ev('message_stop', {}));
  return out;
}
