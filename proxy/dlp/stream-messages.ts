import type { SseEvent } from '../providers/sse-types.js';
import type { ResponseChannels } from './response-channels.js';
import { parseObject } from './stream-chat.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const blockKey = (index: number): string => `b${index}`;

/**
 * Anthropic Messages events: rewrites `content_block_delta` `text_delta.text` (and tool_use
 * `input_json_delta.partial_json`); held text goes out in a synthetic `content_block_delta`
 * right before the block's `content_block_stop` (or before `message_delta`/`message_stop`).
 */
export class MessagesStreamFilter {
  readonly #channels: ResponseChannels;

  constructor(channels: ResponseChannels) {
    this.#channels = channels;
  }

  onEvent(event: SseEvent): SseEvent[] {
    const message = parseObject(event.data);
    if (!message) return [event];
    const index = typeof message.index === 'number' ? message.index : 0;
    switch (message.type) {
      case 'content_block_start': {
        const block = message.content_block;
        if (isObject(block) && block.type === 'text' && typeof block.text === 'string' && block.text.length > 0) {
          block.text = this.#channels.push(blockKey(index), block.text, { json: false });
          return [{ ...event, data: JSON.stringify(message) }];
        }
        return [event];
      }
      case 'content_block_delta': {
        const delta = message.delta;
        if (!isObject(delta)) return [event];
        if (delta.type === 'text_delta' && typeof delta.text === 'string') {
          delta.text = this.#channels.push(blockKey(index), delta.text, { json: false });
        } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          delta.partial_json = this.#channels.push(blockKey(index), delta.partial_json, { json: true });
        } else {
          return [event];
        }
        return [{ ...event, data: JSON.stringify(message) }];
      }
      case 'content_block_stop':
        return [...this.#flush(blockKey(index)), event];
      case 'message_delta':
      case 'message_stop':
        return [...this.#flushAll(), event];
      default:
        return [event];
    }
  }

  onEnd(): SseEvent[] {
    return this.#flushAll();
  }

  #flush(key: string): SseEvent[] {
    const text = this.#channels.flush(key);
    if (text.length === 0) return [];
    const index = Number(key.slice(1));
    const delta = this.#channels.meta(key).json === true ? { type: 'input_json_delta', partial_json: text } : { type: 'text_delta', text };
    return [{ event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index, delta }) }];
  }

  #flushAll(): SseEvent[] {
    return this.#channels.openKeys('b').flatMap((key) => this.#flush(key));
  }
}
