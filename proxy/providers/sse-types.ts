/** One server-sent event as parsed from (or written to) a provider stream. */
export interface SseEvent {
  /** The `event:` line (Anthropic and Responses streams), absent on OpenAI chat streams. */
  readonly event?: string;
  /** The `data:` payload, joined with `\n` when it spanned several lines. */
  readonly data: string;
}

/**
 * A step in the response-stream chain (usage capture, include_usage stripping, response DLP).
 * It receives events in order and returns the events to pass on (zero, one or several);
 * `end` flushes whatever it held back when the upstream stream finished.
 */
export interface SseTransform {
  onEvent(event: SseEvent): SseEvent[];
  onEnd(): SseEvent[];
}
