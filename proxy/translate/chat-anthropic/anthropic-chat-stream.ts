import { isObject, sseEventType, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { chatUsage, finishReason, openAiErrorType } from '../anthropic-openai-vocabulary.js';
import { ChatChunks } from '../chat-chunks.js';

/**
 * An Anthropic Messages stream as a Chat Completions stream (WIRE.md §7): `message_start` → a
 * role chunk; text deltas → `delta.content`; each `tool_use` block → a `tool_calls` entry at a
 * running tool index (not Anthropic's block index) fed by its `input_json_delta`s;
 * `message_stop` → the finish chunk, the usage chunk (`choices: []`) and `[DONE]`. An `error`
 * event becomes `data: {"error":…}`, which the OpenAI SDKs raise. Pings and thinking are dropped.
 */
export class AnthropicToChatStream implements SseTransform {
  readonly #out = new ChatChunks();
  /** Anthropic block index → OpenAI tool-call index. */
  readonly #tools = new Map<number, number>();
  #usage: JsonObject = {};
  #stopReason: unknown = null;

  onEvent(event: SseEvent): SseEvent[] {
    const type = sseEventType(event);
    if (type === 'ping' || type === undefined) return [];
    const parsed = tryParseJson(event.data);
    if (!isObject(parsed)) return [];
    switch (type) {
      case 'message_start': {
        const message = isObject(parsed['message']) ? parsed['message'] : {};
        this.#out.id = String(message['id'] ?? '');
        this.#out.model = String(message['model'] ?? '');
        this.#usage = { ...(isObject(message['usage']) ? message['usage'] : {}) };
        return [this.#out.chunk({ role: 'assistant', content: '', refusal: null })];
      }
      case 'content_block_start':
        return this.#blockStart(parsed);
      case 'content_block_delta':
        return this.#blockDelta(parsed);
      case 'message_delta': {
        const delta = isObject(parsed['delta']) ? parsed['delta'] : {};
        if (delta['stop_reason'] !== undefined) this.#stopReason = delta['stop_reason'];
        if (isObject(parsed['usage'])) this.#usage = { ...this.#usage, ...parsed['usage'] };
        return [];
      }
      case 'message_stop':
        return this.#out.end(finishReason(this.#stopReason), chatUsage(this.#usage));
      case 'error': {
        const error = isObject(parsed['error']) ? parsed['error'] : {};
        return [ChatChunks.error(String(error['message'] ?? 'The provider failed mid-stream.'), openAiErrorType(error['type']))];
      }
      default:
        return [];
    }
  }

  #blockStart(parsed: JsonObject): SseEvent[] {
    const block = isObject(parsed['content_block']) ? parsed['content_block'] : {};
    if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'].length > 0) return [this.#out.chunk({ content: block['text'] })];
    if (block['type'] !== 'tool_use') return [];
    const index = this.#tools.size;
    this.#tools.set(Number(parsed['index']), index);
    return [this.#out.chunk({ tool_calls: [{ index, id: block['id'], type: 'function', function: { name: block['name'], arguments: '' } }] })];
  }

  #blockDelta(parsed: JsonObject): SseEvent[] {
    const delta = isObject(parsed['delta']) ? parsed['delta'] : {};
    if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') return [this.#out.chunk({ content: delta['text'] })];
    if (delta['type'] !== 'input_json_delta' || typeof delta['partial_json'] !== 'string' || delta['partial_json'].length === 0) return [];
    const index = this.#tools.get(Number(parsed['index']));
    if (index === undefined) return [];
    return [this.#out.chunk({ tool_calls: [{ index, function: { arguments: delta['partial_json'] } }] })];
  }

  onEnd(): SseEvent[] {
    return [];
  }
}
