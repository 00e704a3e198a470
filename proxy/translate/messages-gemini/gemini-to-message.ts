import { isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { callId } from '../gemini/gemini-contents.js';
import { finishKind, geminiErrorMessage, readChunk, usageCounts } from '../gemini/gemini-answer.js';

/** Gemini answers and streams as Anthropic Messages (WIRE-GEMINI.md §6, Anthropic column). */

const STOP = { stop: 'end_turn', length: 'max_tokens', tool: 'tool_use', filtered: 'refusal' } as const;

/** Anthropic's input excludes cache reads, reported apart; output includes thinking. */
function anthropicUsage(usage: JsonObject | undefined): JsonObject {
  const u = usageCounts(usage);
  return { input_tokens: Math.max(0, u.input - u.cached), cache_creation_input_tokens: 0, cache_read_input_tokens: u.cached, output_tokens: u.output };
}

function errorType(status: string): string {
  if (status === 'RESOURCE_EXHAUSTED') return 'rate_limit_error';
  if (status === 'UNAVAILABLE') return 'overloaded_error';
  if (status === 'INVALID_ARGUMENT' || status === 'FAILED_PRECONDITION') return 'invalid_request_error';
  return 'api_error';
}

/** A complete GenerateContentResponse as an Anthropic Message. */
export function geminiToMessage(body: JsonObject): JsonObject {
  const chunk = readChunk(body);
  const content: JsonObject[] = [];
  if (chunk.text.length > 0) content.push({ type: 'text', text: chunk.text });
  chunk.calls.forEach((c, i) => content.push({ type: 'tool_use', id: callId('toolu_', i, c.signature), name: c.name, input: c.args }));
  return {
    id: `msg_${chunk.id ?? Date.now().toString(36)}`,
    type: 'message',
    role: 'assistant',
    model: chunk.model ?? '',
    content,
    stop_reason: STOP[finishKind(chunk.finish, chunk.calls.length > 0)],
    stop_sequence: null,
    usage: anthropicUsage(chunk.usage),
  };
}

function event(type: string, fields: JsonObject): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...fields }) };
}

/**
 * A Gemini stream as an Anthropic stream: `message_start` from the first event; text joins one
 * open text block; each function call (whole, in one event) is a `tool_use` block with its
 * input as a single `input_json_delta`; once a finish reason came, the end of the stream closes
 * the open block and sends `message_delta` (stop reason, usage) and `message_stop`.
 */
export class GeminiToMessageStream implements SseTransform {
  #started = false;
  #blocks = 0;
  #textOpen = false;
  #calls = 0;
  #finish: string | undefined;
  #usage: JsonObject | undefined;

  #closeText(): SseEvent[] {
    if (!this.#textOpen) return [];
    this.#textOpen = false;
    return [event('content_block_stop', { index: this.#blocks - 1 })];
  }

  onEvent(sse: SseEvent): SseEvent[] {
    const body = tryParseJson(sse.data);
    if (!isObject(body)) return [];
    if (isObject(body['error'])) {
      const { message, status } = geminiErrorMessage(body);
      return [event('error', { error: { type: errorType(status), message } })];
    }
    const chunk = readChunk(body);
    const out: SseEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      const message = { id: `msg_${chunk.id ?? Date.now().toString(36)}`, type: 'message', role: 'assistant', model: chunk.model ?? '', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
      out.push(event('message_start', { message }));
    }
    if (chunk.text.length > 0) {
      if (!this.#textOpen) {
        this.#textOpen = true;
        out.push(event('content_block_start', { index: this.#blocks++, content_block: { type: 'text', text: '' } }));
      }
      out.push(event('content_block_delta', { index: this.#blocks - 1, delta: { type: 'text_delta', text: chunk.text } }));
    }
    for (const call of chunk.calls) {
      out.push(...this.#closeText());
      const index = this.#blocks++;
      out.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: callId('toolu_', this.#calls++, call.signature), name: call.name, input: {} } }));
      out.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.args) } }));
      out.push(event('content_block_stop', { index }));
    }
    if (chunk.usage) this.#usage = chunk.usage;
    if (chunk.finish !== undefined) this.#finish = chunk.finish;
    return out;
  }

  onEnd(): SseEvent[] {
    if (this.#finish === undefined) return [];
    return [
      ...this.#closeText(),
      event('message_delta', { delta: { stop_reason: STOP[finishKind(this.#finish, this.#calls > 0)], stop_sequence: null }, usage: anthropicUsage(this.#usage) }),
      event('message_stop', {}),
    ];
  }
}
