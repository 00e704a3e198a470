import type { RequestContext } from './context.js';
import type { RequestFacts } from '../audit/audit-record.js';

/** Client closed request (nginx's convention): nobody received an answer. */
const CLIENT_CLOSED = 499;

/** The status the client saw (or will see): sent status, pending answer, error, disconnect. */
function statusOf(ctx: RequestContext): number {
  if (ctx.status > 0) return ctx.status;
  if (ctx.pendingResponse) return ctx.pendingResponse.status;
  if (ctx.error) return ctx.error.status;
  return ctx.clientDisconnected ? CLIENT_CLOSED : 500;
}

/** What the audit recorder needs of a request, read off the context (whatever stage it got to). */
export function requestFacts(ctx: RequestContext): RequestFacts {
  return {
    requestId: ctx.requestId,
    receivedAt: ctx.receivedAt,
    route: ctx.route,
    api: ctx.api,
    url: ctx.req.url,
    principal: ctx.peekPrincipal(),
    target: ctx.peekRequest()?.target,
    upstream: ctx.upstream,
    decision: ctx.peekDecision(),
    findings: ctx.peekFindings() ?? [],
    usage: ctx.usage,
    status: statusOf(ctx),
    errorCode: ctx.error?.code,
    clientDisconnected: ctx.clientDisconnected,
    latencyMs: ctx.elapsedMs(),
    skill: ctx.skill,
    assistant: ctx.assistant,
    captured: ctx.capturedContent,
  };
}
