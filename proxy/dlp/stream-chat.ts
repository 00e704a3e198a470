import type { SseEvent } from '../providers/sse-types.js';
import type { ResponseChannels } from './response-channels.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseObject(data: string): Json | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Channel keys: `c<choice>` for content, `c<choice>t<tool index>` for a tool call's arguments. */
const contentKey = (choice: number): string => `c${choice}`;
const toolKey = (choice: number, tool: number): string => `c${choice}t${tool}`;

/**
 * OpenAI chat-completion chunks: rewrites `choices[].delta.content` and tool-call
 * `function.arguments` fragments; held text is released in a later chunk and flushed into the
 * chunk that carries the choice's `finish_reason` (or a synthetic chunk before `[DONE]`).
 */
export class ChatStreamFilter {
  readonly #channels: ResponseChannels;
  #template: Json = { object: 'chat.completion.chunk' };

  constructor(channels: ResponseChannels) {
    this.#channels = channels;
  }

  onEvent(event: SseEvent): SseEvent[] {
    if (event.data.trim() === '[DONE]') return [...this.#flushAll(), event];
    const chunk = parseObject(event.data);
    if (!chunk || !Array.isArray(chunk.choices)) return [event];
    this.#template = { id: chunk.id, object: chunk.object ?? 'chat.completion.chunk', created: chunk.created, model: chunk.model };
    let changed = false;
    for (const choice of chunk.choices as unknown[]) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const delta = isObject(choice.delta) ? choice.delta : undefined;
      if (delta && typeof delta.content === 'string' && delta.content.length > 0) {
        delta.content = this.#channels.push(contentKey(index), delta.content);
        changed = true;
      }
      if (delta && Array.isArray(delta.tool_calls)) {
        for (const call of delta.tool_calls as unknown[]) {
          const fn = isObject(call) ? call.function : undefined;
          if (!isObject(call) || !isObject(fn) || typeof fn.arguments !== 'string' || fn.arguments.length === 0) continue;
          fn.arguments = this.#channels.push(toolKey(index, typeof call.index === 'number' ? call.index : 0), fn.arguments);
          changed = true;
        }
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        const target = delta ?? (choice.delta = {});
        changed = this.#flushChoice(index, target as Json) || changed;
      }
    }
    return [changed ? { ...event, data: JSON.stringify(chunk) } : event];
  }

  onEnd(): SseEvent[] {
    return this.#flushAll();
  }

  /** Appends a choice's held text to `delta`; true when something was appended. */
  #flushChoice(index: number, delta: Json): boolean {
    let changed = false;
    const content = this.#channels.flush(contentKey(index));
    if (content.length > 0) {
      delta.content = (typeof delta.content === 'string' ? delta.content : '') + content;
      changed = true;
    }
    for (const key of this.#channels.openKeys(`${contentKey(index)}t`)) {
      const tool = Number(key.slice(key.indexOf('t') + 1));
      const args = this.#channels.flush(key);
      if (args.length === 0) continue;
      const calls = Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : (delta.tool_calls = []);
      const existing = calls.find((c) => isObject(c) && c.index === tool);
      const fn = existing && isObject(existing.function) ? existing.function : undefined;
      if (fn) fn.arguments = (typeof fn.arguments === 'string' ? fn.arguments : '') + args;
      else calls.push({ index: tool, function: { arguments: args } });
      changed = true;
    }
    return changed;
  }

  /** Synthetic chunks carrying whatever is still held, one per choice. */
  #flushAll(): SseEvent[] {
    const choices = new Set(this.#channels.openKeys('c').map((key) => Number(key.slice(1).split('t')[0])));
    const out: SseEvent[] = [];
    for (const index of choices) {
      const delta: Json = {};
      if (this.#flushChoice(index, delta)) {
        out.push({ data: JSON.stringify({ ...this.#template, choices: [{ index, delta, finish_reason: null }] }) });
      }
    }
    return out;
  }
}
