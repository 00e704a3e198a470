import type { Test } from 'tap';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { renderErrorBody } from '../../proxy/errors/render.js';
import type { SseEvent, SseTransform } from '../../proxy/providers/sse-types.js';

/**
 * Asserts `fn` refuses with the 400 a client sees: `invalid_request`, naming `param`, in the
 * OpenAI error body (`error.param`) and the Anthropic one (`invalid_request_error`).
 */
export function refuses(t: Test, fn: () => unknown, param: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (!(thrown instanceof GatewayError)) {
    t.fail(`expected a 400 naming ${param}, got ${String(thrown)}`);
    return;
  }
  t.match(thrown, { code: 'invalid_request', status: 400, param }, `400 naming ${param}`);
  if (message) t.match(thrown.message, message);
  t.match(JSON.parse(renderErrorBody('openai', thrown, 'req_1')), { error: { type: 'invalid_request_error', param } });
  t.match(JSON.parse(renderErrorBody('anthropic', thrown, 'req_1')), { type: 'error', error: { type: 'invalid_request_error' } });
}

/** Runs provider events through a stream transform; returns the client events' parsed data (`[DONE]` as the string). */
export function runStream(transform: SseTransform, events: readonly SseEvent[]): { event?: string; data: unknown }[] {
  const out = [...events.flatMap((e) => transform.onEvent(e)), ...transform.onEnd()];
  return out.map((e) => ({ ...(e.event === undefined ? {} : { event: e.event }), data: e.data === '[DONE]' ? '[DONE]' : (JSON.parse(e.data) as unknown) }));
}

/** An Anthropic SSE event (named, with the same `type` in its data). */
export function anthropicEvent(type: string, fields: Record<string, unknown> = {}): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...fields }) };
}

/** A data-only SSE event (OpenAI chat and Gemini streams). */
export function dataEvent(body: unknown): SseEvent {
  return { data: typeof body === 'string' ? body : JSON.stringify(body) };
}
