/**
 * How forward streams to the client without touching the socket: the server implements this
 * (server/response-client-stream.ts is the only code that writes a client response), stages
 * only call it. Backpressure stays end to end: `write` resolves when the client can take more.
 */
export interface ClientStream {
  /** True once the status line and headers went out. */
  readonly started: boolean;
  /** True once the response ended or the client went away. */
  readonly closed: boolean;
  /** Sends the status and headers (once), flushed at once so the client sees the stream start. */
  open(status: number, headers: Record<string, string>): void;
  /** Writes bytes; resolves when the client has room for more (or is gone). */
  write(chunk: string): Promise<void>;
  /** Ends the response, with these last bytes when given. */
  end(last?: string): void;
}
