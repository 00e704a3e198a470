import { isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { callId } from '../gemini/gemini-contents.js';
import { ChatChunks } from '../chat-chunks.js';
import { finishKind, geminiErrorMessage, readChunk, usageCounts, type GeminiCall } from '../gemini/gemini-answer.js';

/** Gemini answers and streams as Chat Completions (WIRE-GEMINI.md §6 "finish (out)", "usage (out)"). */

const FINISH = { stop: 'stop', length: 'length', tool: 'tool_calls', filtered: 'content_filter' } as const;

function chatUsage(usage: JsonObject | undefined): JsonObject {
  const u = usageCounts(usage);
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.total,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.thoughts, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCalls(calls: readonly GeminiCall[], first: number): JsonObject[] {
  return calls.map((c, i) => ({ index: first + i, id: callId('call_', first + i, c.signature), type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
}

/** A complete GenerateContentResponse as a `chat.completion`. */
export function geminiToChat(body: JsonObject): JsonObject {
  const chunk = readChunk(body);
  const calls = toolCalls(chunk.calls, 0).map(({ index: _index, ...call }) => call);
  const message: JsonObject = { role: 'assistant', content: chunk.text.length > 0 || calls.length === 0 ? chunk.text : null, refusal: null, annotations: [] };
  if (chunk.finish === 'BLOCKED') message['content'] = null;
  if (calls.length > 0) message['tool_calls'] = calls;
  return {
    id: `chatcmpl-${chunk.id ?? Date.now().toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: chunk.model ?? '',
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[finishKind(chunk.finish, calls.length > 0)] }],
    usage: chatUsage(chunk.usage),
  };
}

/**
 * A Gemini stream as a chat stream: each event's text → `delta.content`; each function call
 * (Gemini sends it whole) → one `tool_calls` entry with its full arguments at a cumulative
 * index; once a finish reason came, the end of the stream sends the finish chunk, the usage
 * chunk (the last usage: Gemini's counts are cumulative) and `[DONE]`. A stream that closes
 * without a finish reason gets no terminal frame (the gateway reports it truncated).
 */
export class GeminiToChatStream implements SseTransform {
  readonly #out = new ChatChunks();
  #started = false;
  #tools = 0;
  #finish: string | undefined;
  #usage: JsonObject | undefined;

  onEvent(event: SseEvent): SseEvent[] {
    const body = tryParseJson(event.data);
    if (!isObject(body)) return [];
    if (isObject(body['error'])) {
      const { message } = geminiErrorMessage(body);
      return [ChatChunks.error(message, 'server_error')];
    }
    const chunk = readChunk(body);
    const out: SseEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      this.#out.id = `chatcmpl-${chunk.id ?? Date.now().toString(36)}`;
      this.#out.model = chunk.model ?? '';
      out.push(this.#out.chunk({ role: 'assistant', content: '', refusal: null }));
    }
    if (chunk.text.length > 0) out.push(this.#out.chunk({ content: chunk.text }));
    if (chunk.calls.length > 0) {
      out.push(this.#out.chunk({ tool_calls: toolCalls(chunk.calls, this.#tools) }));
      this.#tools += chunk.calls.length;
    }
    if (chunk.usage) this.#usage = chunk.usage;
    if (chunk.finish !== undefined) this.#finish = chunk.finish;
    return out;
  }

  onEnd(): SseEvent[] {
    if (this.#finish === undefined) return [];
    return this.#out.end(FINISH[finishKind(this.#finish, this.#tools > 0)], chatUsage(this.#usage));
  }
}
