import { StringDecoder } from 'node:string_decoder';
import type { SseEvent } from './sse-types.js';

/**
 * Incremental server-sent-events parser (WHATWG EventSource rules): bytes in, events out.
 * Chunks may split anywhere — inside a line, between CR and LF, inside a UTF-8 sequence
 * (the StringDecoder keeps partial sequences). Comments (`:`) and `id`/`retry` fields are
 * dropped: the gateway only forwards `event` and `data`. Hot path: line breaks are found with
 * `indexOf` (native) and Node's StringDecoder is used (both ~10× faster than a char loop and
 * a streaming TextDecoder, measured).
 */
export class SseParser {
  readonly #decoder = new StringDecoder('utf8');
  /** Unterminated tail of the previous chunk (no line break seen yet). */
  #partial = '';
  /** True when the previous chunk ended with CR, so a leading LF belongs to that line break. */
  #lastWasCr = false;
  #event: string | undefined = undefined;
  #data = '';
  #hasData = false;
  #started = false;

  /** Feeds one chunk; returns the events it completed (often zero or one). */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    let text = this.#decoder.write(chunk as Buffer);
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#scan(text, out);
    return out;
  }

  /** Flushes at end of stream. A final event without its blank line is still delivered (lenient). */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.#scan(this.#decoder.end(), out);
    if (this.#partial.length > 0) {
      const line = this.#partial;
      this.#partial = '';
      this.#line(line, out);
    }
    this.#dispatch(out);
    return out;
  }

  #scan(text: string, out: SseEvent[]): void {
    const length = text.length;
    let start = 0;
    if (this.#lastWasCr && length > 0) {
      this.#lastWasCr = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    let cr = text.indexOf('\r', start);
    while (start < length) {
      const lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < length) {
          next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        } else {
          next = length;
          this.#lastWasCr = true;
        }
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      let line = text.slice(start, end);
      if (this.#partial.length > 0) {
        line = this.#partial + line;
        this.#partial = '';
      }
      this.#line(line, out);
      start = next;
    }
    if (start < length) this.#partial = this.#partial.length > 0 ? this.#partial + text.slice(start) : text.slice(start);
  }

  #line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.#dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment (keep-alives)
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    if (field === 'data') {
      this.#data = this.#hasData ? this.#data + '\n' + value : value;
      this.#hasData = true;
    } else if (field === 'event') {
      this.#event = value;
    }
  }

  #dispatch(out: SseEvent[]): void {
    if (this.#hasData) out.push(this.#event === undefined || this.#event === '' ? { data: this.#data } : { event: this.#event, data: this.#data });
    this.#event = undefined;
    this.#data = '';
    this.#hasData = false;
  }
}

/** Serialises one event in the canonical framing (`event:` line when named, one `data:` line per payload line). */
export function serializeSseEvent(event: SseEvent): string {
  const head = event.event === undefined ? '' : 'event: ' + event.event + '\n';
  const data = event.data;
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) return head + 'data: ' + data + '\n\n';
  return head + 'data: ' + data.split(/\r\n|\r|\n/).join('\ndata: ') + '\n\n';
}

/** Serialises several events into one string (one socket write per upstream chunk). */
export function serializeSseEvents(events: readonly SseEvent[]): string {
  if (events.length === 1) return serializeSseEvent(events[0] as SseEvent);
  let out = '';
  for (const event of events) out += serializeSseEvent(event);
  return out;
}
