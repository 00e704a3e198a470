import { Pool } from 'undici';

/**
 * The client side of the memory cell: N streaming chat completions opened at once, each on its own
 * connection, read as they arrive. Each stream's OpenAI SSE events are parsed as they come, so the
 * cell knows when every stream has shown its first words and, at the end, that each one carried
 * the whole answer and `[DONE]`: no failed or truncated stream can hide in the memory figures.
 */

export interface HeldStreamsSpec {
  /** Full URL of the chat completions route on the target. */
  readonly url: string;
  readonly headers: Record<string, string>;
  /** A `stream: true` chat completion body. */
  readonly body: string;
  readonly count: number;
}

/** What one stream delivered. */
export interface StreamOutcome {
  readonly status: number;
  /** The concatenated `choices[0].delta.content` of its events. */
  readonly content: string;
  /** Whether `data: [DONE]` arrived. */
  readonly done: boolean;
  /** A connection or parse error, if one ended it. */
  readonly error?: string;
}

/** Counts of streams by how far they got. */
export interface HeldProgress {
  readonly started: number;
  /** Streams that have shown content and not failed. */
  readonly showingContent: number;
  readonly ended: number;
  /** Streams that ended with an error or answered something other than 200. */
  readonly failed: number;
}

class StreamReader {
  status = 0;
  content = '';
  done = false;
  error: string | undefined;
  errorBody = '';
  ended = false;
  #pending = '';

  /** Feeds raw body text; parses every complete SSE event in it. */
  feed(text: string): void {
    if (this.status !== 200) {
      // An error answer is not SSE: keep its start, to say why in the report.
      this.errorBody = (this.errorBody + text).slice(0, 300);
      return;
    }
    this.#pending += text;
    for (;;) {
      const end = this.#pending.indexOf('\n\n');
      if (end < 0) return;
      const event = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end + 2);
      this.#event(event);
    }
  }

  #event(event: string): void {
    for (const rawLine of event.split('\n')) {
      const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trimStart();
      if (data === '[DONE]') {
        this.done = true;
        continue;
      }
      const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }> };
      const piece = chunk.choices?.[0]?.delta?.content;
      if (typeof piece === 'string') this.content += piece;
    }
  }

  get failed(): boolean {
    return this.error !== undefined || (this.status !== 0 && this.status !== 200);
  }

  outcome(): StreamOutcome {
    const base = { status: this.status, content: this.content, done: this.done };
    if (this.error !== undefined) return { ...base, error: this.error };
    return this.errorBody === '' ? base : { ...base, error: this.errorBody };
  }
}

export class HeldStreams {
  readonly #pool: Pool;
  readonly #readers: StreamReader[] = [];
  readonly #ends: Array<Promise<void>> = [];

  private constructor(spec: HeldStreamsSpec) {
    const url = new URL(spec.url);
    // One socket per stream, no pipelining: 1,000 streams are 1,000 concurrent connections, as
    // 1,000 SDK clients would open. No body timeout: a held stream is silent on purpose.
    this.#pool = new Pool(url.origin, { connections: spec.count, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 0 });
    for (let i = 0; i < spec.count; i++) {
      const reader = new StreamReader();
      this.#readers.push(reader);
      this.#ends.push(this.#run(reader, url.pathname, spec));
    }
  }

  /** Opens `count` streams at once (not awaited: see waitUntil). */
  static open(spec: HeldStreamsSpec): HeldStreams {
    return new HeldStreams(spec);
  }

  async #run(reader: StreamReader, path: string, spec: HeldStreamsSpec): Promise<void> {
    try {
      const res = await this.#pool.request({ method: 'POST', path, headers: spec.headers, body: spec.body });
      reader.status = res.statusCode;
      res.body.setEncoding('utf8');
      for await (const text of res.body as AsyncIterable<string>) reader.feed(text);
    } catch (err) {
      reader.error = err instanceof Error ? err.message : String(err);
    } finally {
      reader.ended = true;
    }
  }

  progress(): HeldProgress {
    let started = 0;
    let showingContent = 0;
    let ended = 0;
    let failed = 0;
    for (const r of this.#readers) {
      if (r.status !== 0) started++;
      if (r.ended) ended++;
      if (r.failed) failed++;
      else if (r.content !== '') showingContent++;
    }
    return { started, showingContent, ended, failed };
  }

  /**
   * Resolves once `ready(progress)` holds, polling every 20 ms (and calling `onTick`, where the
   * caller samples RSS); rejects with the progress after `timeoutMs`, or as soon as a stream ended
   * early while the caller waits for all of them to show content.
   */
  async waitUntil(what: string, ready: (p: HeldProgress) => boolean, timeoutMs: number, onTick: () => void = () => undefined): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      onTick();
      const p = this.progress();
      if (ready(p)) return;
      if (Date.now() > deadline) throw new Error(`${what}: not reached after ${timeoutMs} ms (${JSON.stringify(p)}); first failure: ${this.firstFailure() ?? 'none'}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** A description of the first stream that ended with an error or a non-200 status, if any. */
  firstFailure(): string | undefined {
    const bad = this.#readers.find((r) => r.failed);
    const why = bad?.outcome().error;
    return bad && `status ${bad.status}${why === undefined ? '' : `, ${why}`}`;
  }

  /** Every stream's outcome once all have ended. */
  async outcomes(): Promise<StreamOutcome[]> {
    await Promise.all(this.#ends);
    return this.#readers.map((r) => r.outcome());
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
