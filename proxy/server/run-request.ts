import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/context.js';
import type { Stage, FinalStage } from '../pipeline/stage.js';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { renderErrorBody, errorHeaders } from '../errors/render.js';
import { streamErrorEvent } from '../client-apis/client-formats.js';
import { serializeSseEvent } from '../providers/sse.js';

/** The chain of one route: stages until forward, then the finals that always run. */
export interface Pipeline {
  readonly stages: readonly Stage[];
  readonly finals: readonly FinalStage[];
}

/** Receives each stage's duration (the stage metric); called once per stage that ran. */
export type StageTimer = (stage: string, seconds: number) => void;

/** Writes a complete JSON error response in the client's API shape. */
export function sendError(ctx: RequestContext, err: GatewayError): void {
  const res = ctx.res;
  if (res.headersSent || res.destroyed) return;
  const body = renderErrorBody(ctx.api, err, ctx.requestId);
  res.writeHead(err.status, { ...ctx.responseHeaders, ...errorHeaders(err), 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** An error event inside an already-started SSE stream, in the format the client's SDK raises (one writer per format: client-apis/). */
export function streamErrorFrame(ctx: RequestContext, err: GatewayError): string {
  return serializeSseEvent(streamErrorEvent(ctx.route, err, { requestId: ctx.requestId }));
}

/** Client closed request (nginx's convention): nobody received an answer, so no provider status applies. */
const CLIENT_CLOSED = 499;

function statusOf(ctx: RequestContext): number {
  if (ctx.clientDisconnected && !ctx.res.headersSent) return CLIENT_CLOSED;
  if (ctx.error && !ctx.res.headersSent) return ctx.error.status;
  if (ctx.pendingResponse) return ctx.pendingResponse.status;
  return ctx.res.statusCode;
}

/**
 * Runs the stages in order, stopping at the first that throws, then settle and audit, then
 * releases what forward held back. The audit record therefore exists (in the durable spool)
 * before the client sees a complete answer. A final stage that says the answer may go first
 * (audit with async durability) gets it written before it runs.
 */
export async function runPipeline(ctx: RequestContext, pipeline: Pipeline, logger: Logger, timer?: StageTimer): Promise<void> {
  let started = performance.now();
  let stage: Stage | undefined;
  try {
    for (stage of pipeline.stages) {
      await stage.run(ctx);
      started = timed(timer, stage.name, started);
    }
    stage = undefined;
  } catch (err) {
    if (stage) started = timed(timer, stage.name, started);
    ctx.error = toGatewayError(err);
    if (ctx.error.code === 'internal_error') logger.error({ err: ctx.error.cause, requestId: ctx.requestId }, 'stage failed');
  }
  ctx.status = statusOf(ctx);
  let finalError: GatewayError | undefined;
  let answered = false;
  for (const final of pipeline.finals) {
    if (!answered && final.answersFirst?.(ctx)) {
      await ctx.settling;
      finish(ctx, finalError);
      answered = true;
      // Writing the answer belongs to no stage's time.
      if (timer) started = performance.now();
    }
    try {
      await final.run(ctx);
    } catch (err) {
      finalError = toGatewayError(err);
      logger.error({ err: finalError.cause ?? finalError, stage: final.name, requestId: ctx.requestId }, 'final stage failed');
    }
    started = timed(timer, final.name, started);
  }
  if (!answered) {
    await ctx.settling;
    finish(ctx, finalError);
  }
}

function timed(timer: StageTimer | undefined, stage: string, started: number): number {
  if (!timer) return started;
  const now = performance.now();
  timer(stage, (now - started) / 1000);
  return now;
}

function finish(ctx: RequestContext, finalError: GatewayError | undefined): void {
  const res = ctx.res;
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    // A stream: the terminal frame goes out only if the record was kept.
    if (finalError) res.end(streamErrorFrame(ctx, finalError));
    else res.end(ctx.heldTail ?? undefined);
    return;
  }
  const err = finalError ?? ctx.error;
  if (err) {
    sendError(ctx, err);
    return;
  }
  const pending = ctx.pendingResponse;
  if (pending) {
    res.writeHead(pending.status, { ...pending.headers, ...ctx.responseHeaders, 'content-length': Buffer.byteLength(pending.body) });
    res.end(pending.body);
    return;
  }
  sendError(ctx, new GatewayError('internal_error', 'The gateway produced no response.'));
}
