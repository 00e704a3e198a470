import { isObject, sseEventType, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { callItem, completion, responsesUsage } from './message-to-response.js';
import { messageItem, responseFrame } from '../responses-output.js';

/** One output item being streamed: a message (text) or a function call. */
interface OpenItem {
  readonly outputIndex: number;
  readonly kind: 'text' | 'call';
  readonly block: JsonObject;
  readonly itemId: string;
  acc: string;
}

/**
 * An Anthropic Messages stream as a Responses stream (WIRE.md §4 order): `message_start` →
 * `response.created`, `response.in_progress`; a text block → `output_item.added`,
 * `content_part.added`, `output_text.delta`s, then the `.done` trio; a `tool_use` block → a
 * `function_call` item with `function_call_arguments.delta`s; `message_stop` →
 * `response.completed` (or `response.incomplete`) carrying the whole response and its usage.
 */
export class AnthropicToResponsesStream implements SseTransform {
  #seq = 0;
  #frame: JsonObject = {};
  readonly #items = new Map<number, OpenItem>();
  readonly #output: JsonObject[] = [];
  #usage: JsonObject = {};
  #stopReason: unknown = null;

  #event(type: string, fields: JsonObject): SseEvent {
    return { event: type, data: JSON.stringify({ type, sequence_number: this.#seq++, ...fields }) };
  }

  onEvent(sse: SseEvent): SseEvent[] {
    const type = sseEventType(sse);
    const parsed = tryParseJson(sse.data);
    if (!isObject(parsed) || type === 'ping') return [];
    switch (type) {
      case 'message_start': {
        const message = isObject(parsed['message']) ? parsed['message'] : {};
        this.#usage = { ...(isObject(message['usage']) ? message['usage'] : {}) };
        this.#frame = responseFrame(`resp_${String(message['id'] ?? '')}`, String(message['model'] ?? ''), Math.floor(Date.now() / 1000));
        return [this.#event('response.created', { response: this.#frame }), this.#event('response.in_progress', { response: this.#frame })];
      }
      case 'content_block_start':
        return this.#start(parsed);
      case 'content_block_delta':
        return this.#delta(parsed);
      case 'content_block_stop':
        return this.#stop(Number(parsed['index']));
      case 'message_delta': {
        const delta = isObject(parsed['delta']) ? parsed['delta'] : {};
        if (delta['stop_reason'] !== undefined) this.#stopReason = delta['stop_reason'];
        if (isObject(parsed['usage'])) this.#usage = { ...this.#usage, ...parsed['usage'] };
        return [];
      }
      case 'message_stop': {
        const done = completion(this.#stopReason);
        const response = { ...this.#frame, ...done, output: this.#output, usage: responsesUsage(this.#usage) };
        return [this.#event(done.status === 'completed' ? 'response.completed' : 'response.incomplete', { response })];
      }
      case 'error': {
        const error = isObject(parsed['error']) ? parsed['error'] : {};
        const message = String(error['message'] ?? 'The provider failed mid-stream.');
        return [this.#event('error', { code: String(error['type'] ?? 'api_error'), message, param: null, error: { type: 'server_error', code: null, message, param: null } })];
      }
      default:
        return [];
    }
  }

  #start(parsed: JsonObject): SseEvent[] {
    const block = isObject(parsed['content_block']) ? parsed['content_block'] : {};
    const outputIndex = this.#output.length + this.#items.size;
    if (block['type'] === 'text') {
      const item: OpenItem = { outputIndex, kind: 'text', block, itemId: `msg_${String(this.#frame['id'] ?? '').slice(5)}_${outputIndex}`, acc: '' };
      this.#items.set(Number(parsed['index']), item);
      return [
        this.#event('response.output_item.added', { output_index: outputIndex, item: messageItem(item.itemId, '', 'in_progress') }),
        this.#event('response.content_part.added', { item_id: item.itemId, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
      ];
    }
    if (block['type'] !== 'tool_use') return [];
    const item: OpenItem = { outputIndex, kind: 'call', block, itemId: `fc_${String(block['id'])}`, acc: '' };
    this.#items.set(Number(parsed['index']), item);
    return [this.#event('response.output_item.added', { output_index: outputIndex, item: callItem(block, '', 'in_progress') })];
  }

  #delta(parsed: JsonObject): SseEvent[] {
    const item = this.#items.get(Number(parsed['index']));
    const delta = isObject(parsed['delta']) ? parsed['delta'] : {};
    if (!item) return [];
    if (item.kind === 'text' && delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
      item.acc += delta['text'];
      return [this.#event('response.output_text.delta', { item_id: item.itemId, output_index: item.outputIndex, content_index: 0, delta: delta['text'], logprobs: [] })];
    }
    if (item.kind === 'call' && delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string' && delta['partial_json'] !== '') {
      item.acc += delta['partial_json'];
      return [this.#event('response.function_call_arguments.delta', { item_id: item.itemId, output_index: item.outputIndex, delta: delta['partial_json'] })];
    }
    return [];
  }

  #stop(index: number): SseEvent[] {
    const item = this.#items.get(index);
    if (!item) return [];
    this.#items.delete(index);
    if (item.kind === 'text') {
      const done = messageItem(item.itemId, item.acc, 'completed');
      this.#output.push(done);
      const part = { type: 'output_text', text: item.acc, annotations: [] };
      return [
        this.#event('response.output_text.done', { item_id: item.itemId, output_index: item.outputIndex, content_index: 0, text: item.acc, logprobs: [] }),
        this.#event('response.content_part.done', { item_id: item.itemId, output_index: item.outputIndex, content_index: 0, part }),
        this.#event('response.output_item.done', { output_index: item.outputIndex, item: done }),
      ];
    }
    const args = item.acc.length > 0 ? item.acc : '{}';
    const done = callItem(item.block, args, 'completed');
    this.#output.push(done);
    return [
      this.#event('response.function_call_arguments.done', { item_id: item.itemId, output_index: item.outputIndex, arguments: args }),
      this.#event('response.output_item.done', { output_index: item.outputIndex, item: done }),
    ];
  }

  onEnd(): SseEvent[] {
    return [];
  }
}
