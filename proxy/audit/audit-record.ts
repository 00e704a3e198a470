import RE2 from 're2';
import type { RequestContext } from '../pipeline/context.js';
import type { Principal, PolicyDecision, RouteKind } from '../core/vocabulary.js';
import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { UNAUTHENTICATED_PARTITION } from './audit-key.js';
import { newLogId } from './log-id.js';

/**
 * One audit record: what happened to one request (or one admin action / system event) of one
 * tenant. It is built only from fields listed here, copied one by one from the context, so a
 * header, a credential or prompt text can never ride along by accident. Its JSON Schema is
 * `audit-record.schema.json`.
 */

export interface AuditPrincipal {
  readonly type: Principal['type'];
  readonly user: string;
  /** API key id, or `session:<jti|sub>` for session tokens. Never the credential itself. */
  readonly keyId: string;
  readonly role: Principal['role'];
}

export interface AuditDecision {
  readonly id: string;
  readonly allow: boolean;
  readonly reasons: readonly string[];
  readonly wouldDeny: boolean;
}

export interface AuditDlpFinding {
  readonly detector: string;
  readonly count: number;
  readonly action: 'block' | 'redact' | 'log';
  readonly direction: 'request' | 'response';
}

export interface AuditUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly estimated: boolean;
}

/** Event details: flat scalars only, so nothing structured (a Secret, a body) can be attached. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/** A record before the hash chain stamps it (what builders produce and `append` accepts). */
export interface AuditRecordDraft {
  readonly id: string;
  readonly requestId: string | null;
  readonly time: string;
  /** Partition: the principal's tenant, or `_unauthenticated`. */
  readonly tenant: string;
  readonly principal: AuditPrincipal | null;
  readonly action: string;
  readonly route: string | null;
  readonly tier: string | null;
  readonly provider: string | null;
  readonly model: string | null;
  /** The client's API (`openai.chat`, `openai.responses`, `openai.embeddings`, `anthropic.messages`); null for events. */
  readonly clientApi: string | null;
  /** The wire API the answering provider spoke (`openai`, `anthropic`, `gemini`); differs from the client's when translated. */
  readonly providerApi: string | null;
  readonly decision: AuditDecision | null;
  readonly dlp: readonly AuditDlpFinding[];
  readonly usage: AuditUsage | null;
  readonly costUsd: number | null;
  readonly status: number;
  readonly errorCode: string | null;
  readonly clientDisconnected: boolean;
  readonly latencyMs: number;
  readonly upstreamLatencyMs: number | null;
  readonly details?: AuditDetails;
  /** The skill applied with `x-workjet-skill` (absent when none). */
  readonly skill?: { readonly id: string; readonly name: string };
  /** `x-workjet-assistant`: the automation acting for the user (absent when none). */
  readonly assistant?: string;
  /** Only with `audit.includeContent: true`, and only what DLP already redacted. */
  readonly content?: { readonly prompt?: unknown; readonly completion?: string };
}

/** A stored record: the draft plus its place in the writing instance's hash chain. */
export interface AuditRecord extends AuditRecordDraft {
  readonly instance: string;
  /** 1-based position in the chain of (instance, tenant, day). */
  readonly seq: number;
  /** `hash` of the previous record of the chain; null for seq 1. */
  readonly prevHash: string | null;
  /** `id` of the previous record of the chain; null for seq 1 (names a deleted record). */
  readonly prevId: string | null;
  /** sha256 (hex) of this record's canonical JSON without `hash`. */
  readonly hash: string;
}

/** What the context cannot tell the builder. */
export interface AuditExtras {
  /** Whether `ctx.capturedContent` goes into the record (`audit.includeContent`). */
  readonly includeContent: boolean;
  /** Real cost of the request in USD, when settle computed one. */
  readonly costUsd?: number;
  /** Overrides the action derived from the route. */
  readonly action?: string;
}

const ACTION_BY_ROUTE: Readonly<Record<RouteKind, string>> = {
  chat: 'model.invoke',
  responses: 'model.invoke',
  embeddings: 'model.invoke',
  messages: 'model.invoke',
  models: 'model.list',
};

const actionRe = new RE2('^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$');

/** Round to 0.1 ms: enough for latency, stable in JSON. */
function ms(value: number): number {
  return Math.max(0, Math.round(value * 10) / 10);
}

/** The path of the request URL: never the query string, which may carry a credential. */
export function routeOf(url: string | undefined): string | null {
  if (!url) return null;
  let end = url.length;
  for (const mark of ['?', '#']) {
    const at = url.indexOf(mark);
    if (at !== -1 && at < end) end = at;
  }
  return url.slice(0, Math.min(end, 256));
}

function principalOf(p: Principal | undefined): AuditPrincipal | null {
  return p ? { type: p.type, user: p.user, keyId: p.id, role: p.role } : null;
}

function decisionOf(d: PolicyDecision | undefined): AuditDecision | null {
  return d ? { id: d.id, allow: d.allow, reasons: d.reasons.map(String), wouldDeny: d.wouldDeny } : null;
}

/** The status the client saw (or will see): sent status, pending answer, error, disconnect. */
function statusOf(ctx: RequestContext): number {
  if (ctx.status > 0) return ctx.status;
  if (ctx.pendingResponse) return ctx.pendingResponse.status;
  if (ctx.error) return ctx.error.status;
  // 499: nginx's "client closed request" — nothing was answered because nobody was listening.
  return ctx.clientDisconnected ? 499 : 500;
}

/** Content as a plain JSON copy (drops functions, class instances print via toJSON). */
function contentOf(ctx: RequestContext): AuditRecordDraft['content'] {
  const captured = ctx.capturedContent;
  if (!captured) return undefined;
  const content: { prompt?: unknown; completion?: string } = {};
  if (captured.prompt !== undefined) content.prompt = JSON.parse(JSON.stringify(captured.prompt)) as unknown;
  if (typeof captured.completion === 'string') content.completion = captured.completion;
  return content;
}

/** Builds the record of one model request from the context, whatever stage it got to. */
export function buildAuditRecord(ctx: RequestContext, extras: AuditExtras): AuditRecordDraft {
  const principal = ctx.peekPrincipal();
  const request = ctx.peekRequest();
  const target = request?.target;
  const timeMs = ctx.receivedAt.getTime();
  const draft: AuditRecordDraft = {
    id: newLogId(timeMs),
    requestId: ctx.requestId,
    time: new Date(timeMs).toISOString(),
    // The partition comes from the minted scope only, never from request data.
    tenant: principal ? assertTenantScope(principal.scope).tenantId : UNAUTHENTICATED_PARTITION,
    principal: principalOf(principal),
    action: extras.action ?? ACTION_BY_ROUTE[ctx.route] ?? 'model.invoke',
    route: routeOf(ctx.req.url),
    tier: target?.kind === 'tier' ? target.name : null,
    provider: ctx.upstream?.provider ?? target?.provider ?? null,
    model: ctx.upstream?.model ?? target?.model ?? null,
    clientApi: ctx.route === 'models' ? null : `${ctx.api}.${ctx.route}`,
    providerApi: ctx.upstream?.api ?? null,
    decision: decisionOf(ctx.peekDecision()),
    dlp: (ctx.peekFindings() ?? []).map((f) => ({ detector: f.detector, count: f.count, action: f.action, direction: f.direction })),
    usage: ctx.usage ? { inputTokens: ctx.usage.inputTokens, outputTokens: ctx.usage.outputTokens, estimated: ctx.usage.estimated === true } : null,
    costUsd: extras.costUsd ?? null,
    status: statusOf(ctx),
    errorCode: ctx.error?.code ?? null,
    clientDisconnected: ctx.clientDisconnected,
    latencyMs: ms(ctx.elapsedMs()),
    upstreamLatencyMs: ctx.upstream ? ms(ctx.upstream.latencyMs) : null,
    ...(ctx.skill ? { skill: { id: ctx.skill.id, name: ctx.skill.name } } : {}),
    ...(ctx.assistant === undefined ? {} : { assistant: ctx.assistant }),
  };
  if (!extras.includeContent) return draft;
  const content = contentOf(ctx);
  return content ? { ...draft, content } : draft;
}

/** An admin action or system event (e.g. `budget.alert`) of one tenant. */
export interface AuditEventInput {
  /** Dotted lowercase name: `audit.read`, `key.create`, `budget.alert`. */
  readonly action: string;
  /** Who did it; absent for system events. */
  readonly principal?: Principal;
  readonly requestId?: string;
  /** Request path (query string is dropped). */
  readonly route?: string;
  readonly status?: number;
  readonly errorCode?: string;
  readonly decision?: PolicyDecision;
  readonly latencyMs?: number;
  readonly costUsd?: number;
  readonly details?: AuditDetails;
  readonly time?: Date;
}

/**
 * Builds the record of an admin action or system event in `scope`'s partition; a null scope
 * (an admin call whose credential did not identify anyone) goes to the operator partition.
 */
export function buildEventRecord(scope: TenantScope | null, event: AuditEventInput): AuditRecordDraft {
  const tenant = scope ? assertTenantScope(scope).tenantId : UNAUTHENTICATED_PARTITION;
  if (event.action.length > 128 || !actionRe.test(event.action)) throw new TypeError(`invalid audit action ${JSON.stringify(event.action)}`);
  if (event.principal && (!scope || event.principal.scope.tenantId !== tenant)) throw new TypeError('audit event principal belongs to another tenant');
  const timeMs = (event.time ?? new Date()).getTime();
  const details = event.details ? Object.fromEntries(Object.entries(event.details).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) : undefined;
  return {
    id: newLogId(timeMs),
    requestId: event.requestId ?? null,
    time: new Date(timeMs).toISOString(),
    tenant,
    principal: principalOf(event.principal),
    action: event.action,
    route: routeOf(event.route),
    tier: null,
    provider: null,
    model: null,
    clientApi: null,
    providerApi: null,
    decision: decisionOf(event.decision),
    dlp: [],
    usage: null,
    costUsd: event.costUsd ?? null,
    status: event.status ?? 200,
    errorCode: event.errorCode ?? null,
    clientDisconnected: false,
    latencyMs: ms(event.latencyMs ?? 0),
    upstreamLatencyMs: null,
    ...(details ? { details } : {}),
  };
}
