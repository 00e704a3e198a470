import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { UpstreamAbort } from './upstream-pool.js';

/**
 * One upstream request as an undici dispatch handler, and the body of its answer. undici's
 * `request()` wraps every answer in a Readable stream (with an async-resource scope, an
 * end-of-stream watcher and an async iterator on top); the gateway reads an answer in one of
 * four ways only (all of it, a capped prefix, nothing, or chunk by chunk for a stream), so the
 * chunks are kept in a plain queue instead. A chunk is never copied: it is the socket's own
 * buffer, which undici hands over for keeps.
 */

/** The answer's head; `body` is read once, in exactly one of its ways. */
export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: UpstreamBody;
}

export interface UpstreamBody extends AsyncIterable<Buffer> {
  /** The whole body. Rejects with the transport's error (a body timeout, a reset). */
  bytes(): Promise<Buffer>;
  /** The whole body as UTF-8 text. */
  text(): Promise<string>;
  /** At most `max` bytes as UTF-8 text; the rest is not read (the request is aborted). */
  capped(max: number): Promise<string>;
  /** Reads and drops the body (so a small one leaves the connection reusable); never rejects. */
  dump(): Promise<void>;
  /** Aborts the request if its body is still arriving. */
  destroy(): void;
}

/** Bytes queued before the socket is paused; a stream consumer that falls behind holds no more. */
const HIGH_WATER_BYTES = 64 * 1024;
/** A dumped body longer than this is cut off rather than read (as undici's own `dump`). */
const DUMP_LIMIT_BYTES = 128 * 1024;

/** The gateway stopped reading an answer it does not need (capped, dumped, abandoned). */
class BodyDiscardedError extends Error {
  readonly code = 'WJ_UPSTREAM_BODY_DISCARDED';
  constructor() {
    super('the upstream body was discarded');
  }
}

/** The client disconnected: the upstream request is abandoned. */
export class ClientGoneError extends Error {
  readonly code = 'WJ_CLIENT_GONE';
  constructor() {
    super('the client disconnected');
  }
}

type BodyState = 'open' | 'ended' | 'failed';

export class UpstreamExchange implements Dispatcher.DispatchHandler, UpstreamBody {
  readonly #signal: UpstreamAbort;
  readonly #resolve: (response: UpstreamResponse) => void;
  readonly #reject: (err: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #answered = false;
  #state: BodyState = 'open';
  #error: Error | undefined;
  #chunks: Buffer[] = [];
  #queuedBytes = 0;
  /** Queued bytes above which the socket pauses (Infinity while the whole body is wanted). */
  #highWater = HIGH_WATER_BYTES;
  #discarding = false;
  #discardedBytes = 0;
  /** The reader waiting for a chunk, the end or an error. */
  #wake: (() => void) | undefined;

  constructor(signal: UpstreamAbort, resolve: (response: UpstreamResponse) => void, reject: (err: Error) => void) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    if ('addEventListener' in signal) signal.addEventListener('abort', this.#onAbort);
    else signal.on('abort', this.#onAbort);
  }

  readonly #onAbort = (): void => {
    this.#abort(new ClientGoneError());
  };

  #detach(): void {
    const signal = this.#signal;
    if ('removeEventListener' in signal) signal.removeEventListener('abort', this.#onAbort);
    else signal.off('abort', this.#onAbort);
  }

  /** Fails the exchange with `reason`: before the socket is assigned, once it is. */
  #abort(reason: Error): void {
    if (this.#state !== 'open') return;
    if (this.#controller) this.#controller.abort(reason);
    else this.#fail(reason);
  }

  #fail(err: Error): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#error = err;
    this.#detach();
    if (!this.#answered) this.#reject(err);
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // The client left while the request waited for a socket: it never goes out.
    if (this.#signal.aborted) controller.abort(new ClientGoneError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.#answered) return; // 1xx informational heads are not the answer
    this.#answered = true;
    this.#resolve({ statusCode, headers, body: this });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#discarding) {
      this.#discardedBytes += chunk.length;
      if (this.#discardedBytes > DUMP_LIMIT_BYTES) controller.abort(new BodyDiscardedError());
      return;
    }
    this.#chunks.push(chunk);
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes >= this.#highWater) controller.pause();
    this.#notify();
  }

  onResponseEnd(): void {
    if (this.#state !== 'open') return;
    this.#state = 'ended';
    this.#detach();
    this.#notify();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(err);
  }

  /** The request could not be dispatched at all (undici refused its options). */
  refuse(err: Error): void {
    this.#fail(err);
  }

  /** Waits for the next chunk, the end or an error, letting the socket flow again first. */
  #more(): Promise<void> {
    if (this.#state !== 'open') return Promise.resolve();
    const next = new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    // After the waiter is set: resuming can deliver buffered data synchronously.
    if (this.#controller?.paused && this.#queuedBytes < this.#highWater) this.#controller.resume();
    return next;
  }

  #takeAll(): Buffer {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#queuedBytes = 0;
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  async bytes(): Promise<Buffer> {
    this.#highWater = Infinity;
    while (this.#state === 'open') await this.#more();
    if (this.#state === 'failed') throw this.#error;
    return this.#takeAll();
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  async capped(max: number): Promise<string> {
    this.#highWater = Infinity;
    while (this.#state === 'open' && this.#queuedBytes < max) await this.#more();
    if (this.#state === 'failed' && this.#queuedBytes < max) throw this.#error;
    if (this.#state === 'open') this.#abort(new BodyDiscardedError());
    return this.#takeAll().subarray(0, max).toString('utf8');
  }

  async dump(): Promise<void> {
    this.#discarding = true;
    this.#discardedBytes = this.#queuedBytes;
    this.#chunks = [];
    this.#queuedBytes = 0;
    if (this.#discardedBytes > DUMP_LIMIT_BYTES) this.#abort(new BodyDiscardedError());
    while (this.#state === 'open') await this.#more();
  }

  destroy(): void {
    this.#abort(new BodyDiscardedError());
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const chunk = this.#chunks.shift();
        if (chunk !== undefined) {
          this.#queuedBytes -= chunk.length;
          yield chunk;
          continue;
        }
        if (this.#state === 'failed') throw this.#error;
        if (this.#state === 'ended') return;
        await this.#more();
      }
    } finally {
      // A consumer that stops early (break, throw) does not want the rest.
      this.destroy();
    }
  }
}
