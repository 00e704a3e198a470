import type { TokenUsage } from '../../core/vocabulary.js';
import type { StreamSession } from '../provider-adapter.js';
import type { SseEvent, SseTransform } from '../sse-types.js';
import { isObject, sseEventType, tryParseJson } from '../json-fields.js';
import { mergeAnthropicUsage, toTokenUsage, type AnthropicUsageCounts } from './anthropic-usage.js';

/**
 * Anthropic Messages stream: `message_start` carries input and cache counts,
 * `message_delta` the cumulative output. Only those two events are parsed.
 */
export class MessagesStreamSession implements StreamSession, SseTransform {
  readonly transform: SseTransform = this;
  readonly #counts: AnthropicUsageCounts = { input: 0, cacheRead: 0, cacheCreation: 0, output: 0 };
  #started = false;
  #final = false;
  #deltas = 0;

  onEvent(event: SseEvent): SseEvent[] {
    const type = sseEventType(event);
    if (type === 'content_block_delta') this.#deltas++;
    else if (type === 'message_start') {
      const parsed = tryParseJson(event.data);
      const message = isObject(parsed) ? parsed['message'] : undefined;
      if (isObject(message)) {
        mergeAnthropicUsage(this.#counts, message['usage']);
        this.#started = true;
      }
    } else if (type === 'message_delta') {
      const parsed = tryParseJson(event.data);
      if (isObject(parsed) && isObject(parsed['usage'])) {
        mergeAnthropicUsage(this.#counts, parsed['usage']);
        this.#final = true;
      }
    }
    return [event];
  }

  onEnd(): SseEvent[] {
    return [];
  }

  usage(): TokenUsage | undefined {
    if (this.#final) return toTokenUsage(this.#counts, false);
    if (!this.#started && this.#deltas === 0) return undefined;
    const partial = { ...this.#counts, output: Math.max(this.#counts.output, this.#deltas) };
    return toTokenUsage(partial, true);
  }

  isTerminal(event: SseEvent): boolean {
    return sseEventType(event) === 'message_stop';
  }

  isError(event: SseEvent): boolean {
    return sseEventType(event) === 'error';
  }
}
