import type { TokenUsage } from '../../core/vocabulary.js';
import type { StreamOptions, StreamSession } from '../provider-adapter.js';
import type { SseEvent, SseTransform } from '../sse-types.js';
import { isObject, tryParseJson } from '../json-fields.js';
import { chatUsage } from './openai-usage.js';

/** True when the JSON text at `at` (after optional spaces) is `null`. */
function nullAt(data: string, at: number): boolean {
  let i = at;
  while (data.charCodeAt(i) === 32) i++;
  if (data.charCodeAt(i) !== 58) return false; // ':'
  i++;
  while (data.charCodeAt(i) === 32) i++;
  return data.startsWith('null', i);
}

/**
 * Chat Completions stream: the gateway always asks upstream for the usage chunk
 * (`stream_options.include_usage`) so spend is exact; when the client did not ask for it,
 * the usage-only chunk is dropped (or the `usage` field removed from a chunk that also carries
 * choices, as some compatible backends send). Only chunks that mention a non-null `usage` are
 * parsed: every other chunk passes through untouched.
 */
export class ChatStreamSession implements StreamSession, SseTransform {
  readonly transform: SseTransform = this;
  readonly #clientWantsUsage: boolean;
  #usage: TokenUsage | undefined;
  #chunks = 0;

  constructor(options: StreamOptions) {
    this.#clientWantsUsage = options.clientWantsUsage;
  }

  onEvent(event: SseEvent): SseEvent[] {
    const data = event.data;
    if (data === '[DONE]') return [event];
    const at = data.indexOf('"usage"');
    if (at === -1 || nullAt(data, at + 7)) {
      this.#chunks++;
      return [event];
    }
    const chunk = tryParseJson(data);
    if (!isObject(chunk) || !isObject(chunk['usage'])) return [event];
    this.#usage = chatUsage(chunk['usage']);
    if (this.#clientWantsUsage) return [event];
    const choices = chunk['choices'];
    if (!Array.isArray(choices) || choices.length === 0) return [];
    this.#chunks++;
    const { usage: _dropped, ...rest } = chunk;
    return [event.event === undefined ? { data: JSON.stringify(rest) } : { event: event.event, data: JSON.stringify(rest) }];
  }

  onEnd(): SseEvent[] {
    return [];
  }

  /** Exact usage from the usage chunk; otherwise ~one token per content chunk, flagged estimated. */
  usage(): TokenUsage | undefined {
    if (this.#usage) return this.#usage;
    if (this.#chunks === 0) return undefined;
    return { inputTokens: 0, outputTokens: this.#chunks, estimated: true };
  }

  isTerminal(event: SseEvent): boolean {
    return event.data === '[DONE]';
  }

  isError(event: SseEvent): boolean {
    if (event.event === 'error') return true;
    const data = event.data;
    if (data.indexOf('"error"') === -1 || data.indexOf('"choices"') !== -1) return false;
    const parsed = tryParseJson(data);
    return isObject(parsed) && parsed['error'] !== undefined && parsed['error'] !== null;
  }
}
