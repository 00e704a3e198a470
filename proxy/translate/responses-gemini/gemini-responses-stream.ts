import { isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { geminiErrorMessage, readChunk } from '../gemini/gemini-answer.js';
import { callItem, completion, mintCallId, responsesUsage } from './gemini-to-response.js';
import { messageItem, responseFrame } from '../responses-output.js';

/** The text item being streamed. */
interface OpenText {
  readonly outputIndex: number;
  readonly itemId: string;
  acc: string;
}

/**
 * A Gemini stream as a Responses stream (WIRE.md §4 order): the first event → `response.created`,
 * `response.in_progress`; text joins one open `message` item (`output_item.added`,
 * `content_part.added`, `output_text.delta`s, then the `.done` trio when something else comes or
 * the stream ends); each function call (Gemini sends it whole) → a `function_call` item with its
 * arguments in one delta; once a finish reason came, the end of the stream sends
 * `response.completed` (or `response.incomplete`) with the whole output and the last usage. A
 * stream that closes without a finish reason gets no terminal event (the gateway reports it
 * truncated); a Gemini `{"error":…}` event becomes the Responses `error` event.
 */
export class GeminiToResponsesStream implements SseTransform {
  #seq = 0;
  #frame: JsonObject | undefined;
  #text: OpenText | undefined;
  readonly #output: JsonObject[] = [];
  #calls = 0;
  #finish: string | undefined;
  #usage: JsonObject | undefined;

  #event(type: string, fields: JsonObject): SseEvent {
    return { event: type, data: JSON.stringify({ type, sequence_number: this.#seq++, ...fields }) };
  }

  onEvent(sse: SseEvent): SseEvent[] {
    const body = tryParseJson(sse.data);
    if (!isObject(body)) return [];
    if (isObject(body['error'])) {
      const { message, status } = geminiErrorMessage(body);
      return [this.#event('error', { code: status === '' ? 'api_error' : status, message, param: null, error: { type: 'server_error', code: null, message, param: null } })];
    }
    const chunk = readChunk(body);
    const out: SseEvent[] = [];
    if (!this.#frame) {
      this.#frame = responseFrame(`resp_${chunk.id ?? Date.now().toString(36)}`, chunk.model ?? '', Math.floor(Date.now() / 1000));
      out.push(this.#event('response.created', { response: this.#frame }), this.#event('response.in_progress', { response: this.#frame }));
    }
    if (chunk.text.length > 0) out.push(...this.#appendText(chunk.text));
    for (const call of chunk.calls) {
      out.push(...this.#closeText());
      const outputIndex = this.#output.length;
      const id = mintCallId(this.#calls++, call);
      const args = JSON.stringify(call.args);
      const done = callItem(call, id, args, 'completed');
      this.#output.push(done);
      out.push(
        this.#event('response.output_item.added', { output_index: outputIndex, item: callItem(call, id, '', 'in_progress') }),
        this.#event('response.function_call_arguments.delta', { item_id: done['id'], output_index: outputIndex, delta: args }),
        this.#event('response.function_call_arguments.done', { item_id: done['id'], output_index: outputIndex, arguments: args }),
        this.#event('response.output_item.done', { output_index: outputIndex, item: done }),
      );
    }
    if (chunk.usage) this.#usage = chunk.usage;
    if (chunk.finish !== undefined) this.#finish = chunk.finish;
    return out;
  }

  #appendText(delta: string): SseEvent[] {
    const out: SseEvent[] = [];
    if (!this.#text) {
      const outputIndex = this.#output.length;
      const itemId = `msg_${String(this.#frame?.['id'] ?? '').slice(5)}_${outputIndex}`;
      this.#text = { outputIndex, itemId, acc: '' };
      out.push(
        this.#event('response.output_item.added', { output_index: outputIndex, item: messageItem(itemId, '', 'in_progress') }),
        this.#event('response.content_part.added', { item_id: itemId, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
      );
    }
    const text = this.#text;
    text.acc += delta;
    out.push(this.#event('response.output_text.delta', { item_id: text.itemId, output_index: text.outputIndex, content_index: 0, delta, logprobs: [] }));
    return out;
  }

  #closeText(): SseEvent[] {
    const text = this.#text;
    if (!text) return [];
    this.#text = undefined;
    const done = messageItem(text.itemId, text.acc, 'completed');
    this.#output.push(done);
    return [
      this.#event('response.output_text.done', { item_id: text.itemId, output_index: text.outputIndex, content_index: 0, text: text.acc, logprobs: [] }),
      this.#event('response.content_part.done', { item_id: text.itemId, output_index: text.outputIndex, content_index: 0, part: { type: 'output_text', text: text.acc, annotations: [] } }),
      this.#event('response.output_item.done', { output_index: text.outputIndex, item: done }),
    ];
  }

  onEnd(): SseEvent[] {
    if (this.#finish === undefined || !this.#frame) return [];
    const closing = this.#closeText();
    const done = completion(this.#finish, this.#calls > 0);
    const response = { ...this.#frame, ...done, output: this.#output, usage: responsesUsage(this.#usage) };
    return [...closing, this.#event(done.status === 'completed' ? 'response.completed' : 'response.incomplete', { response })];
  }
}
