import RE2 from 're2';
import type { ClientApi, DlpFinding, ModelTarget, Principal, PolicyDecision, ProviderApi, RouteKind, TokenUsage } from '../core/vocabulary.js';
import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { UNAUTHENTICATED_PARTITION } from './audit-key.js';
import { newLogId } from './log-id.js';

/**
 * One audit record: what happened to one request (or one admin action / system event) of one
 * tenant. It is built only from fields listed here, copied one by one from plain facts, so a
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

/** `T` without its `readonly` marks: a record is assembled field by field, then handed on. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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
  /** Whether the captured content goes into the record (`audit.includeContent`). */
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

/**
 * What happened to one model request, as plain values (the pipeline reads them off its context;
 * the recorder never sees the context itself).
 */
export interface RequestFacts {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly route: RouteKind;
  readonly api: ClientApi;
  /** Request path (the query string is dropped when recorded). */
  readonly url: string | undefined;
  readonly principal: Principal | undefined;
  readonly target: ModelTarget | undefined;
  /** The attempt that answered (or failed last). */
  readonly upstream: { readonly provider: string; readonly model: string; readonly api?: ProviderApi | undefined; readonly latencyMs: number } | undefined;
  readonly decision: PolicyDecision | undefined;
  readonly findings: readonly DlpFinding[];
  readonly usage: TokenUsage | undefined;
  /** The status the client saw (or will see); 499 when it left before any answer. */
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly clientDisconnected: boolean;
  readonly latencyMs: number;
  readonly skill?: { readonly id: string; readonly name: string } | undefined;
  readonly assistant?: string | undefined;
  /** Prompt and completion, already DLP-redacted; recorded only with `audit.includeContent`. */
  readonly captured?: { readonly prompt?: unknown; readonly completion?: string } | undefined;
}

/** Content as a plain JSON copy (drops functions, class instances print via toJSON). */
function contentOf(captured: RequestFacts['captured']): AuditRecordDraft['content'] {
  if (!captured) return undefined;
  const content: { prompt?: unknown; completion?: string } = {};
  if (captured.prompt !== undefined) content.prompt = JSON.parse(JSON.stringify(captured.prompt)) as unknown;
  if (typeof captured.completion === 'string') content.completion = captured.completion;
  return content;
}

/** Builds the record of one model request, whatever stage it got to. */
export function buildAuditRecord(facts: RequestFacts, extras: AuditExtras): AuditRecordDraft {
  const principal = facts.principal;
  const target = facts.target;
  const timeMs = facts.receivedAt.getTime();
  // No spread in the literal, and the optional fields are set after it: an object literal with a
  // spread is built property by property and came out ~3x slower to build, extend and serialise.
  const draft: Mutable<AuditRecordDraft> = {
    id: newLogId(timeMs),
    requestId: facts.requestId,
    time: new Date(timeMs).toISOString(),
    // The partition comes from the minted scope only, never from request data.
    tenant: principal ? assertTenantScope(principal.scope).tenantId : UNAUTHENTICATED_PARTITION,
    principal: principalOf(principal),
    action: extras.action ?? ACTION_BY_ROUTE[facts.route] ?? 'model.invoke',
    route: routeOf(facts.url),
    tier: target?.kind === 'tier' ? target.name : null,
    provider: facts.upstream?.provider ?? target?.provider ?? null,
    model: facts.upstream?.model ?? target?.model ?? null,
    clientApi: facts.route === 'models' ? null : `${facts.api}.${facts.route}`,
    providerApi: facts.upstream?.api ?? null,
    decision: decisionOf(facts.decision),
    dlp: facts.findings.map((f) => ({ detector: f.detector, count: f.count, action: f.action, direction: f.direction })),
    usage: facts.usage ? { inputTokens: facts.usage.inputTokens, outputTokens: facts.usage.outputTokens, estimated: facts.usage.estimated === true } : null,
    costUsd: extras.costUsd ?? null,
    status: facts.status,
    errorCode: facts.errorCode ?? null,
    clientDisconnected: facts.clientDisconnected,
    latencyMs: ms(facts.latencyMs),
    upstreamLatencyMs: facts.upstream ? ms(facts.upstream.latencyMs) : null,
  };
  if (facts.skill) draft.skill = { id: facts.skill.id, name: facts.skill.name };
  if (facts.assistant !== undefined) draft.assistant = facts.assistant;
  if (extras.includeContent) {
    const content = contentOf(facts.captured);
    if (content) draft.content = content;
  }
  return draft;
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
  const draft: Mutable<AuditRecordDraft> = {
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
  };
  if (details) draft.details = details;
  return draft;
}
