import type { RequestContext, UpstreamResult } from '../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { streamErrorEvent } from '../../client-apis/client-formats.js';
import type { CallShape } from '../../translate/call-shape.js';
import type { SseEvent, SseTransform } from '../../providers/sse-types.js';
import { SseParser, serializeSseEvent } from '../../providers/sse.js';
import { TransformChain } from '../../providers/transform-chain.js';
import { mapUpstreamError } from '../../providers/upstream-pool.js';
import type { UpstreamBody } from '../../providers/upstream-exchange.js';

export interface RelayInput {
  readonly ctx: RequestContext;
  /** The provider adapter, and the translator and client-format adapter when the call is translated. */
  readonly shape: CallShape;
  readonly body: UpstreamBody;
  readonly result: UpstreamResult;
  /** `performance.now()` when the attempt started. */
  readonly startedAt: number;
  /** Transforms after the adapter's own (registered by other stages, response DLP). */
  readonly extraTransforms: readonly SseTransform[];
  readonly capture: boolean;
  readonly upstreamRequestId: string | undefined;
}

/** `retry`: nothing reached the client, the next attempt may answer. */
export type RelayOutcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly error: GatewayError };

/** Thrown when the client left before anything was written (the runner only records it). */
export function clientGone(cause?: unknown): GatewayError {
  return new GatewayError('upstream_error', 'The client disconnected before the response completed.', { cause });
}

/** An error event inside a started stream, in the client's format (written in client-apis/ only). */
export function streamErrorFrame(ctx: RequestContext, err: GatewayError): string {
  return serializeSseEvent(streamErrorEvent(ctx.route, err, { requestId: ctx.requestId }));
}

/**
 * Relays one upstream SSE response to the client as it arrives: parse → transform chain →
 * one socket write per upstream chunk, awaiting `drain` when the client is slow (which stops
 * reading upstream: backpressure end to end). Headers are committed on the first event, so
 * an upstream that fails before sending any event can still fall back. Terminal frames go to
 * `ctx.heldTail` for the runner to write after audit.
 */
export async function relayStream(input: RelayInput): Promise<RelayOutcome> {
  const { ctx, shape, result } = input;
  const client = ctx.client;
  const translator = shape.translator;
  // The provider's own session reads real usage (and a first-event error) from the provider's
  // events; on a translated call a client-format session after the translator decides what the
  // client asked for (usage chunk) and which frames are terminal or errors.
  const upstream = shape.adapter.openStream(shape.upstreamRoute, { clientWantsUsage: translator ? true : clientWantsUsage(ctx) });
  const session = translator ? shape.client.openStream(ctx.route, { clientWantsUsage: clientWantsUsage(ctx) }) : upstream;
  const chain = new TransformChain(translator ? [upstream.transform, translator.stream(), session.transform, ...input.extraTransforms] : [upstream.transform, ...input.extraTransforms]);
  const parser = new SseParser();
  let committed = false;
  let terminal = false;
  let tail = '';
  let completion = '';

  const commit = (): void => {
    const headers: Record<string, string> = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
    if (input.upstreamRequestId !== undefined) headers['x-upstream-request-id'] = input.upstreamRequestId;
    client.open(200, { ...headers, ...ctx.responseHeaders });
    ctx.status = 200;
    committed = true;
  };

  const emit = async (events: readonly SseEvent[]): Promise<void> => {
    let out = '';
    for (const event of events) {
      if (!terminal && session.isTerminal(event)) terminal = true;
      if (terminal) {
        tail += serializeSseEvent(event);
        continue;
      }
      if (session.isError(event) && !ctx.error) ctx.error = new GatewayError('upstream_error', `Provider '${result.provider}' reported an error mid-stream.`);
      if (input.capture) completion += shape.client.eventText(ctx.route, event);
      out += serializeSseEvent(event);
    }
    await client.write(out);
  };

  const settle = (): void => {
    ctx.usage = upstream.usage() ?? ctx.usage;
    result.latencyMs = performance.now() - input.startedAt;
    if (input.capture) ctx.capturedContent = { ...ctx.capturedContent, completion };
  };

  try {
    for await (const chunk of input.body) {
      const events = parser.push(chunk);
      if (events.length === 0) continue;
      if (!committed) {
        if (upstream.isError(events[0] as SseEvent)) {
          input.body.destroy();
          return { kind: 'retry', error: new GatewayError('upstream_error', `Provider '${result.provider}' failed before sending any content.`) };
        }
        commit();
      }
      await emit(chain.push(events));
    }
    const last = parser.end();
    if (last.length > 0 && !committed) commit();
    await emit(chain.push(last));
    await emit(chain.end());
  } catch (err) {
    settle();
    if (ctx.clientAbort.aborted) {
      if (!committed) throw clientGone(err);
      return { kind: 'done' };
    }
    const error = mapUpstreamError(err, result.provider, 'body');
    if (!committed) return { kind: 'retry', error };
    failMidStream(ctx, error);
    return { kind: 'done' };
  }
  settle();
  if (!committed) return { kind: 'retry', error: new GatewayError('upstream_error', `Provider '${result.provider}' sent an empty stream.`) };
  if (terminal) {
    ctx.heldTail = tail;
  } else if (ctx.error) {
    client.end();
  } else {
    failMidStream(ctx, new GatewayError('upstream_error', `Provider '${result.provider}' ended the stream before it was complete.`));
  }
  return { kind: 'done' };
}

function failMidStream(ctx: RequestContext, error: GatewayError): void {
  ctx.error = error;
  ctx.client.end(streamErrorFrame(ctx, error));
}

function clientWantsUsage(ctx: RequestContext): boolean {
  const options = ctx.request.body['stream_options'];
  return typeof options === 'object' && options !== null && (options as Record<string, unknown>)['include_usage'] === true;
}
