import type { IncomingHttpHeaders } from 'node:http';

/** How the fake provider answers one request. Every field is optional; the default is a normal answer. */
export interface FakeBehavior {
  /** Answer with this HTTP status and the provider's error body (or `errorBody`). */
  readonly status?: number;
  readonly errorBody?: unknown;
  /** Gemini only: answer as Google does to a bad key (400 `API_KEY_INVALID`, quoting the key it got). */
  readonly geminiKeyInvalid?: boolean;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before sending anything (tests first-byte timeouts). */
  readonly delayFirstByteMs?: number;
  /** Pause between streamed events. */
  readonly chunkDelayMs?: number;
  /** Stream: after two events, destroy the socket. Non-stream: destroy it before answering. */
  readonly dieMidStream?: boolean;
  /** Stream: answer 200, then an error event first (Anthropic `overloaded_error` style). */
  readonly errorEventFirst?: boolean;
  /** Stream: stop after two events and keep the connection open without ending it (tests idle timeouts). */
  readonly stallMidStream?: boolean;
  /** Reported usage. */
  readonly usage?: { readonly input: number; readonly output: number; readonly cached?: number };
  /** Answer with a tool call instead of text. */
  readonly toolCall?: { readonly name: string; readonly arguments: Readonly<Record<string, unknown>> };
  /** Completion text; streamed word by word. */
  readonly text?: string;
  /** Like a misbehaving proxy: the answer (error body, or the completion text) carries every request header it received. */
  readonly echoHeaders?: boolean;
  /** Answer with this body as is (not JSON), with `status` (default 200). */
  readonly rawBody?: { readonly contentType: string; readonly text: string };
}

/** One request the fake provider received, for assertions. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none / it was not JSON. */
  readonly body: unknown;
  readonly receivedAt: number;
  /** When the peer (the gateway) closed the connection before the response was complete. */
  abortedAt?: number;
  /** True once the response was completely written. */
  finished: boolean;
}

export const DEFAULT_TEXT = 'Hello from the fake provider, streaming word by word.';
export const DEFAULT_USAGE: NonNullable<FakeBehavior['usage']> = { input: 11, output: 9 };

/** Splits text into word-sized stream pieces (' word'), as providers stream it. */
export function pieces(text: string): string[] {
  return text.split(' ').map((w, i) => (i === 0 ? w : ' ' + w));
}

/** Parses the `x-fake-behavior` header (JSON), when a test sends it directly. */
export function behaviorFromHeader(headers: IncomingHttpHeaders): FakeBehavior | undefined {
  const raw = headers['x-fake-behavior'];
  if (typeof raw !== 'string') return undefined;
  return JSON.parse(raw) as FakeBehavior;
}
