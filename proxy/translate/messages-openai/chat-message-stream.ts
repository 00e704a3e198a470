import { isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { anthropicErrorType, anthropicUsage, stopReason } from '../anthropic-openai-vocabulary.js';

function event(type: string, fields: JsonObject): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...fields }) };
}

/**
 * A Chat Completions stream as an Anthropic Messages stream (WIRE.md §7, Envoy's order):
 * `message_start` on the first chunk (input tokens not known yet: 0, the real count comes in
 * `message_delta`); a text block for content; each new tool-call index closes the open block
 * and starts a `tool_use` block fed by `input_json_delta`s; on `[DONE]` (or the end of a
 * stream that carried a finish reason) the open block stops, then `message_delta` with the stop
 * reason and full usage, then `message_stop`. `data: {"error":…}` becomes `event: error`.
 */
export class ChatToMessageStream implements SseTransform {
  #started = false;
  #done = false;
  /** Index and kind of the open content block, if any. */
  #open: { index: number; tool: number | undefined } | undefined;
  #blocks = 0;
  #finish: unknown = null;
  #usage: unknown;

  #start(chunk: JsonObject): SseEvent[] {
    if (this.#started) return [];
    this.#started = true;
    const message = { id: chunk['id'], type: 'message', role: 'assistant', model: chunk['model'], content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
    return [event('message_start', { message })];
  }

  #close(): SseEvent[] {
    if (!this.#open) return [];
    const index = this.#open.index;
    this.#open = undefined;
    return [event('content_block_stop', { index })];
  }

  #text(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    if (!this.#open || this.#open.tool !== undefined) {
      out.push(...this.#close());
      this.#open = { index: this.#blocks++, tool: undefined };
      out.push(event('content_block_start', { index: this.#open.index, content_block: { type: 'text', text: '' } }));
    }
    out.push(event('content_block_delta', { index: this.#open.index, delta: { type: 'text_delta', text } }));
    return out;
  }

  #toolCall(call: JsonObject): SseEvent[] {
    const out: SseEvent[] = [];
    const fn = isObject(call['function']) ? call['function'] : {};
    const tool = typeof call['index'] === 'number' ? call['index'] : 0;
    if (!this.#open || this.#open.tool !== tool) {
      out.push(...this.#close());
      this.#open = { index: this.#blocks++, tool };
      out.push(event('content_block_start', { index: this.#open.index, content_block: { type: 'tool_use', id: call['id'], name: fn['name'], input: {} } }));
    }
    const args = fn['arguments'];
    if (typeof args === 'string' && args.length > 0) out.push(event('content_block_delta', { index: this.#open.index, delta: { type: 'input_json_delta', partial_json: args } }));
    return out;
  }

  #finishEvents(): SseEvent[] {
    if (this.#done || !this.#started) return [];
    this.#done = true;
    return [...this.#close(), event('message_delta', { delta: { stop_reason: stopReason(this.#finish), stop_sequence: null }, usage: anthropicUsage(this.#usage) }), event('message_stop', {})];
  }

  onEvent(sse: SseEvent): SseEvent[] {
    if (sse.data === '[DONE]') return this.#finishEvents();
    const chunk = tryParseJson(sse.data);
    if (!isObject(chunk)) return [];
    if (isObject(chunk['error'])) {
      const error = chunk['error'];
      return [event('error', { error: { type: anthropicErrorType(error['type'], error['code']), message: String(error['message'] ?? 'The provider failed mid-stream.') } })];
    }
    const out = this.#start(chunk);
    if (isObject(chunk['usage'])) this.#usage = chunk['usage'];
    for (const choice of Array.isArray(chunk['choices']) ? chunk['choices'] : []) {
      if (!isObject(choice) || (choice['index'] !== undefined && choice['index'] !== 0)) continue;
      const delta = isObject(choice['delta']) ? choice['delta'] : {};
      if (typeof delta['content'] === 'string' && delta['content'].length > 0) out.push(...this.#text(delta['content']));
      if (typeof delta['refusal'] === 'string' && delta['refusal'].length > 0) {
        out.push(...this.#text(delta['refusal']));
        this.#finish = 'content_filter';
      }
      for (const call of Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : []) if (isObject(call)) out.push(...this.#toolCall(call));
      if (typeof choice['finish_reason'] === 'string' && this.#finish !== 'content_filter') this.#finish = choice['finish_reason'];
    }
    return out;
  }

  /** Some OpenAI-compatible servers end without `[DONE]`: a stream that carried a finish reason still ends properly. */
  onEnd(): SseEvent[] {
    return this.#finish === null ? [] : this.#finishEvents();
  }
}
