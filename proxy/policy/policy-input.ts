import type { Principal, ModelRequest, ModelTarget } from '../core/vocabulary.js';
import type { PolicyAction } from './actions.js';

/**
 * The input document the Rego policy sees (DESIGN.md, "Policy"). Field names are the policy's
 * (snake_case), not TypeScript's. Optional fields are omitted, never null, so Rego sees them as
 * undefined. It never carries prompt or completion text: model calls get a summary.
 */
export interface PolicyInput {
  readonly action: PolicyAction;
  readonly principal: PolicyPrincipal;
  readonly resource: PolicyResource;
  readonly tenant: { readonly id: string; readonly plan: string };
  readonly request: PolicyRequest;
}

export interface PolicyPrincipal {
  readonly type: 'api_key' | 'session';
  /** Key id, or `session:<id>` for session tokens. */
  readonly id: string;
  readonly user: string;
  readonly role: string;
  readonly tenant: string;
}

/** What the action is about. `tenant` is the tenant that owns it (the policy denies any other). */
export interface PolicyResource {
  /** `tier`, `model` (direct provider/model), `models` (the model list), `skill`, `key`, `user`, … */
  readonly type: string;
  readonly id: string;
  readonly tenant: string;
  readonly provider?: string;
  readonly model?: string;
  /** A tier's configured tags (e.g. `cheap`). */
  readonly tags?: readonly string[];
  /** Skills: published to the marketplace. */
  readonly published?: boolean;
  /** Skills: the user who created it. */
  readonly owner?: string;
  /** Users (users.write): the target user's current role; absent when it is being created. */
  readonly role?: string;
  /** Users (users.write): the role asked for; absent when the user is being removed. */
  readonly new_role?: string;
  /** Users (users.write): how many owners the tenant has now (the last one stays). */
  readonly owner_count?: number;
}

export interface PolicyRequest {
  readonly method: string;
  /** URL path without the query string. */
  readonly path: string;
  readonly ip: string;
  /** RFC 3339 UTC, second precision: `2026-11-28T14:05:00Z`. */
  readonly time: string;
  /** Model calls only. */
  readonly summary?: PolicyRequestSummary;
}

/** What a model call asks for, without its content. */
export interface PolicyRequestSummary {
  /** The `model` field as the client sent it (tier name or `provider/model`). */
  readonly model: string;
  /** The tier name when the request named a tier. */
  readonly tier?: string;
  readonly stream: boolean;
  readonly max_tokens?: number;
  /** Names of the tools the request offers the model. */
  readonly tools: readonly string[];
  readonly message_count: number;
}

// Every request in the same second shares one string: formatting cost more than a policy rule.
let lastSecond = Number.NaN;
let lastFormatted = '';

/** Formats a time the way the policy reads it (UTC, no fractional seconds). */
export function policyTime(time: Date): string {
  const second = Math.floor(time.getTime() / 1000);
  if (second !== lastSecond) {
    lastFormatted = time.toISOString().slice(0, 19) + 'Z';
    lastSecond = second;
  }
  return lastFormatted;
}

/** The resource a model call targets: a tier of the caller's tenant, or a direct model. */
export function targetResource(target: ModelTarget, tenantId: string): PolicyResource {
  return {
    type: target.kind === 'tier' ? 'tier' : 'model',
    id: target.name,
    tenant: tenantId,
    provider: target.provider,
    model: target.model,
    tags: target.tags,
  };
}

/** The policy's summary of a parsed model request: counts and names, never content. */
export function requestSummary(request: ModelRequest): PolicyRequestSummary {
  const summary: { -readonly [K in keyof PolicyRequestSummary]: PolicyRequestSummary[K] } = {
    model: request.model,
    stream: request.stream,
    tools: request.summary.toolNames,
    message_count: request.summary.messageCount,
  };
  if (request.target.kind === 'tier') summary.tier = request.target.name;
  if (request.maxTokens !== undefined) summary.max_tokens = request.maxTokens;
  return summary;
}

export interface PolicyInputParts {
  readonly action: PolicyAction;
  readonly principal: Principal;
  readonly resource: PolicyResource;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  readonly time: Date;
  readonly summary?: PolicyRequestSummary;
}

/** Builds the input document from an identified principal; tenant and plan come from the principal only. */
export function buildPolicyInput(parts: PolicyInputParts): PolicyInput {
  const { principal } = parts;
  const queryAt = parts.path.indexOf('?');
  const request: PolicyRequest = {
    method: parts.method,
    path: queryAt === -1 ? parts.path : parts.path.slice(0, queryAt),
    ip: parts.ip,
    time: policyTime(parts.time),
    ...(parts.summary === undefined ? {} : { summary: parts.summary }),
  };
  return {
    action: parts.action,
    principal: { type: principal.type, id: principal.id, user: principal.user, role: principal.role, tenant: principal.tenantId },
    resource: parts.resource,
    tenant: { id: principal.tenantId, plan: principal.plan },
    request,
  };
}
