import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import type { RateLimitsConfig } from '../../config/schema.js';
import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { Principal } from '../../core/vocabulary.js';
import type { AdmissionHandle, AdmitResult, RateLimitRule, RateLimitStore } from '../../limits/rate-limit-store.js';
import type { TenantConfigSource } from '../../limits/tenant-config-source.js';
import { rateLimitHeaders } from '../../limits/rate-limit-headers.js';
import { estimateInputTokens, outputTokenBound } from '../request-size.js';

/** What limit leaves for settle (`ctx.admission`). */
export type { LimitAdmission as LimitState } from '../stage-results.js';

export interface LimitStageDeps {
  readonly store: RateLimitStore;
  readonly registry: TenantConfigSource;
  readonly logger: Logger;
  /** `redis.failMode`: when the store is unreachable, refuse (503) or allow. */
  readonly failMode: 'closed' | 'open';
  /** Called for each request allowed because the store was unreachable (the `failure_mode_allowed` counter). */
  readonly onFailureModeAllowed?: () => void;
}

export interface LimitStage extends Stage {
  /** Requests allowed by `failMode: open` since start. */
  readonly failureModeAllowed: number;
  run(ctx: RequestContext): Promise<void>;
}

/** The rules a principal is held to: per user, per key and per tenant, each only where configured. */
export function rulesFor(config: RateLimitsConfig, principal: Principal): RateLimitRule[] {
  const rules: RateLimitRule[] = [];
  const add = (limits: RateLimitsConfig['perUser'], kind: 'user' | 'key' | 'tenant', id: string): void => {
    if (!limits || (limits.requestsPerMinute === undefined && limits.tokensPerMinute === undefined)) return;
    rules.push({
      subject: { kind, id },
      ...(limits.requestsPerMinute === undefined ? {} : { requests: limits.requestsPerMinute }),
      ...(limits.tokensPerMinute === undefined ? {} : { tokens: limits.tokensPerMinute }),
    });
  };
  add(config.perUser, 'user', principal.user);
  add(config.perKey, 'key', principal.id);
  add(config.perTenant, 'tenant', '');
  return rules;
}

/**
 * Stage `limit`: admits the request against the caller's requests/min and tokens/min limits
 * (estimated tokens: input + output bound; corrected at settle), writes OpenAI's
 * `x-ratelimit-*` headers, and refuses with 429 `rate_limit_exceeded` and `retry-after`.
 */
export function createLimitStage(deps: LimitStageDeps): LimitStage {
  let failureModeAllowed = 0;
  return {
    name: 'limit',
    get failureModeAllowed() {
      return failureModeAllowed;
    },
    async run(ctx: RequestContext) {
      const principal = ctx.principal;
      const tenant = deps.registry.get(principal.scope).config;
      const rules = rulesFor(tenant.rateLimits, principal);
      if (rules.length === 0) return;
      const countsTokens = rules.some((r) => r.tokens !== undefined);
      const tokens = countsTokens ? estimateInputTokens(ctx) + outputTokenBound(ctx, tenant.budget?.defaultMaxTokens) : 0;
      let result: AdmitResult;
      try {
        result = await deps.store.admit(principal.scope, { rules, tokens });
      } catch (err) {
        if (deps.failMode === 'open') {
          failureModeAllowed++;
          deps.onFailureModeAllowed?.();
          deps.logger.warn({ err: { message: (err as Error).message }, requestId: ctx.requestId, tenant: principal.tenantId }, 'rate limits unavailable: allowed (failMode open)');
          return;
        }
        throw new GatewayError('dependency_unavailable', 'Rate limits cannot be checked right now; the request was not forwarded. Retry shortly.', { cause: err });
      }
      Object.assign(ctx.responseHeaders, rateLimitHeaders(result));
      if (!result.allowed) throw refusal(result, tokens);
      ctx.admission = { handle: result.handle, estimatedTokens: tokens };
    },
  };
}

function refusal(result: AdmitResult, tokens: number): GatewayError {
  const dimension = result.refusedBy?.dimension ?? 'requests';
  const kind = result.refusedBy?.subject.kind ?? 'user';
  const state = dimension === 'tokens' ? result.tokens : result.requests;
  const limit = state?.limit ?? 0;
  if (!Number.isFinite(result.retryAfterMs)) {
    return new GatewayError(
      'rate_limit_exceeded',
      `This request needs about ${tokens} tokens, more than the ${kind} limit of ${limit} tokens per minute. Lower max_tokens or shorten the prompt.`,
      { headers: { 'retry-after': '60', 'x-should-retry': 'false' } },
    );
  }
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  return new GatewayError('rate_limit_exceeded', `Rate limit reached for ${dimension} per minute (${kind} limit ${limit}). Please try again in ${seconds}s.`, {
    headers: { 'retry-after': String(seconds), 'retry-after-ms': String(Math.max(1, Math.ceil(result.retryAfterMs))) },
  });
}
