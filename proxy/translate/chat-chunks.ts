import type { JsonObject } from '../providers/json-fields.js';
import type { SseEvent } from '../providers/sse-types.js';

/**
 * Writes Chat Completions stream chunks for every provider → chat pair: one id, model and
 * `created` for the whole stream; the finish chunk, the usage chunk (`choices: []`) and `[DONE]`.
 */
export class ChatChunks {
  id = '';
  model = '';
  readonly #created = Math.floor(Date.now() / 1000);

  /** A chunk with one choice delta. */
  chunk(delta: JsonObject, finish: string | null = null): SseEvent {
    return { data: JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.#created, model: this.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null }) };
  }

  /** The end of a stream: finish chunk, usage chunk, `[DONE]`. */
  end(finish: string, usage: JsonObject): SseEvent[] {
    return [
      this.chunk({}, finish),
      { data: JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.#created, model: this.model, choices: [], usage }) },
      { data: '[DONE]' },
    ];
  }

  /** A mid-stream error the OpenAI SDKs raise. */
  static error(message: string, type: string): SseEvent {
    return { data: JSON.stringify({ error: { message, type, param: null, code: null } }) };
  }
}
