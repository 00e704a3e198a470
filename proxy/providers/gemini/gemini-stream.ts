import type { TokenUsage } from '../../core/vocabulary.js';
import type { StreamSession } from '../provider-adapter.js';
import type { SseEvent, SseTransform } from '../sse-types.js';
import { isObject, tryParseJson } from '../json-fields.js';
import { geminiUsage } from './gemini-usage.js';

/**
 * `streamGenerateContent?alt=sse`: every event is a whole GenerateContentResponse; usage is
 * cumulative and repeated (the last one wins, never summed); there is no `[DONE]` — the
 * stream ends when the connection closes, so no event is terminal here (a translator emits
 * the client's terminal frames once a finish reason arrived). `{"error":…}` is an error.
 */
export class GeminiStreamSession implements StreamSession, SseTransform {
  readonly transform: SseTransform = this;
  #usage: TokenUsage | undefined;
  #finished = false;
  #chunks = 0;

  onEvent(event: SseEvent): SseEvent[] {
    this.#chunks++;
    if (event.data.indexOf('"usageMetadata"') !== -1 || event.data.indexOf('"finishReason"') !== -1) {
      const parsed = tryParseJson(event.data);
      if (isObject(parsed)) {
        this.#usage = geminiUsage(parsed['usageMetadata']) ?? this.#usage;
        const candidates = Array.isArray(parsed['candidates']) ? parsed['candidates'] : [];
        if (candidates.some((c) => isObject(c) && typeof c['finishReason'] === 'string' && c['finishReason'] !== '')) this.#finished = true;
      }
    }
    return [event];
  }

  onEnd(): SseEvent[] {
    return [];
  }

  /** The last usage; flagged estimated when the stream never reached its finish reason. */
  usage(): TokenUsage | undefined {
    if (this.#usage) return this.#finished ? this.#usage : { ...this.#usage, estimated: true };
    return this.#chunks === 0 ? undefined : { inputTokens: 0, outputTokens: this.#chunks, estimated: true };
  }

  isTerminal(): boolean {
    return false;
  }

  isError(event: SseEvent): boolean {
    if (event.data.indexOf('"error"') === -1) return false;
    const parsed = tryParseJson(event.data);
    return isObject(parsed) && isObject(parsed['error']);
  }
}
