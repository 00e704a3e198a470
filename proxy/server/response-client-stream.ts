import type { ServerResponse } from 'node:http';
import type { ClientStream } from '../pipeline/client-stream.js';

function waitForDrain(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The server's side of {@link ClientStream}: the one writer of a streamed client response. */
export class ResponseClientStream implements ClientStream {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get started(): boolean {
    return this.#res.headersSent;
  }

  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  open(status: number, headers: Record<string, string>): void {
    this.#res.writeHead(status, headers);
    this.#res.flushHeaders();
  }

  async write(chunk: string): Promise<void> {
    if (chunk.length > 0 && !this.#res.write(chunk)) await waitForDrain(this.#res);
  }

  end(last?: string): void {
    if (this.closed) return;
    if (last === undefined) this.#res.end();
    else this.#res.end(last);
  }
}
