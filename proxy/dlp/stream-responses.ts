import type { SseEvent } from '../providers/sse-types.js';
import type { ResponseChannels } from './response-channels.js';
import { parseObject } from './stream-chat.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const textKey = (itemId: unknown, contentIndex: unknown): string => `t:${String(itemId)}:${String(contentIndex ?? 0)}`;
const argsKey = (itemId: unknown): string => `a:${String(itemId)}`;
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * OpenAI Responses events: rewrites `response.output_text.delta` and
 * `response.function_call_arguments.delta`; held text goes out in a synthetic delta right before
 * the matching `.done`. Every event that repeats the whole text — `output_text.done`,
 * `content_part.done`, `output_item.done`, and `response.completed` (whose `response.output`
 * carries everything) — gets the same redacted text the deltas added up to. Inserted events
 * shift `sequence_number`s so the client still sees a gap-free sequence.
 */
export class ResponsesStreamFilter {
  readonly #channels: ResponseChannels;
  #shift = 0;

  constructor(channels: ResponseChannels) {
    this.#channels = channels;
  }

  onEvent(event: SseEvent): SseEvent[] {
    const msg = parseObject(event.data);
    if (!msg || typeof msg.type !== 'string') return [event];
    const before: Json[] = [];
    const changed = this.#rewrite(msg, before);
    const seq = msg.sequence_number;
    if (typeof seq === 'number') {
      before.forEach((synthetic, k) => (synthetic.sequence_number = seq + this.#shift + k));
      this.#shift += before.length;
      msg.sequence_number = seq + this.#shift;
    }
    const out: SseEvent[] = before.map((synthetic) => ({ event: synthetic.type as string, data: JSON.stringify(synthetic) }));
    out.push(changed || this.#shift > 0 ? { ...event, data: JSON.stringify(msg) } : event);
    return out;
  }

  onEnd(): SseEvent[] {
    return this.#flushAll().map((synthetic) => ({ event: synthetic.type as string, data: JSON.stringify(synthetic) }));
  }

  /** Rewrites `msg` in place; pushes synthetic events to send before it. True when `msg` changed. */
  #rewrite(msg: Json, before: Json[]): boolean {
    switch (msg.type) {
      case 'response.output_text.delta':
        if (typeof msg.delta !== 'string') return false;
        msg.delta = this.#channels.push(textKey(msg.item_id, msg.content_index), msg.delta, { type: 'response.output_text.delta', item_id: msg.item_id, output_index: msg.output_index, content_index: msg.content_index });
        return true;
      case 'response.function_call_arguments.delta':
        if (typeof msg.delta !== 'string') return false;
        msg.delta = this.#channels.push(argsKey(msg.item_id), msg.delta, { type: 'response.function_call_arguments.delta', item_id: msg.item_id, output_index: msg.output_index });
        return true;
      case 'response.output_text.done':
        before.push(...this.#flush(textKey(msg.item_id, msg.content_index)));
        if (typeof msg.text === 'string') msg.text = this.#final(textKey(msg.item_id, msg.content_index), msg.text);
        return true;
      case 'response.function_call_arguments.done':
        before.push(...this.#flush(argsKey(msg.item_id)));
        if (typeof msg.arguments === 'string') msg.arguments = this.#final(argsKey(msg.item_id), msg.arguments);
        return true;
      case 'response.content_part.added':
      case 'response.content_part.done': {
        const key = textKey(msg.item_id, msg.content_index);
        before.push(...this.#flush(key));
        if (isObject(msg.part) && typeof msg.part.text === 'string' && msg.part.text.length > 0) msg.part.text = this.#final(key, msg.part.text);
        return true;
      }
      case 'response.output_item.added':
      case 'response.output_item.done':
        if (!isObject(msg.item)) return false;
        before.push(...this.#flushItem(msg.item));
        this.#redactItem(msg.item);
        return true;
      default:
        if (!isObject(msg.response) || !Array.isArray(msg.response.output)) return false;
        if (TERMINAL.has(msg.type as string)) before.push(...this.#flushAll());
        if (msg.response.output.length === 0) return false;
        for (const item of msg.response.output as unknown[]) if (isObject(item)) this.#redactItem(item);
        return true;
    }
  }

  /** A channel's final text, or (no deltas seen for it) the whole text redacted. */
  #final(key: string, whole: string): string {
    return this.#channels.finalText(key) ?? this.#channels.redactWhole(whole);
  }

  #redactItem(item: Json): void {
    if (Array.isArray(item.content)) {
      item.content.forEach((part: unknown, j) => {
        if (isObject(part) && typeof part.text === 'string' && part.text.length > 0) part.text = this.#final(textKey(item.id, j), part.text);
      });
    }
    if (typeof item.arguments === 'string' && item.arguments.length > 0) item.arguments = this.#final(argsKey(item.id), item.arguments);
  }

  #flush(key: string): Json[] {
    const text = this.#channels.flush(key);
    return text.length === 0 ? [] : [{ ...this.#channels.meta(key), delta: text }];
  }

  #flushItem(item: Json): Json[] {
    return [...this.#channels.openKeys(`t:${String(item.id)}:`), argsKey(item.id)].flatMap((key) => this.#flush(key));
  }

  #flushAll(): Json[] {
    return this.#channels.openKeys().flatMap((key) => this.#flush(key));
  }
}
