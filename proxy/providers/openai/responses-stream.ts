import type { TokenUsage } from '../../core/vocabulary.js';
import type { StreamSession } from '../provider-adapter.js';
import type { SseEvent, SseTransform } from '../sse-types.js';
import { isObject, sseEventType, tryParseJson } from '../json-fields.js';
import { responsesUsage } from './openai-usage.js';

/** Events that end a Responses stream; each carries the final `response.usage`. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Responses API stream: usage arrives in the `response` object of the final event. Only
 * final events are parsed; text deltas are counted for an estimate if the stream breaks.
 */
export class ResponsesStreamSession implements StreamSession, SseTransform {
  readonly transform: SseTransform = this;
  #usage: TokenUsage | undefined;
  #deltas = 0;

  onEvent(event: SseEvent): SseEvent[] {
    const type = sseEventType(event);
    if (type === 'response.output_text.delta') this.#deltas++;
    else if (type !== undefined && FINAL_EVENTS.has(type)) {
      const parsed = tryParseJson(event.data);
      const response = isObject(parsed) ? parsed['response'] : undefined;
      if (isObject(response)) this.#usage = responsesUsage(response['usage']) ?? this.#usage;
    }
    return [event];
  }

  onEnd(): SseEvent[] {
    return [];
  }

  usage(): TokenUsage | undefined {
    if (this.#usage) return this.#usage;
    if (this.#deltas === 0) return undefined;
    return { inputTokens: 0, outputTokens: this.#deltas, estimated: true };
  }

  isTerminal(event: SseEvent): boolean {
    if (event.data === '[DONE]') return true;
    const type = sseEventType(event);
    return type !== undefined && FINAL_EVENTS.has(type);
  }

  isError(event: SseEvent): boolean {
    return sseEventType(event) === 'error';
  }
}
