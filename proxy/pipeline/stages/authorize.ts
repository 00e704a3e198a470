import type { Logger } from 'pino';
import type { TenantConfig } from '../../config/schema.js';
import type { TenantScope } from '../../identity/tenant-scope.js';
import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { PolicyDecision } from '../../core/vocabulary.js';
import { PolicyError, type PolicyDecider } from '../../policy/policy-engine.js';
import { buildPolicyInput, requestSummary, targetResource, type PolicyResource } from '../../policy/policy-input.js';
import { DECISION_HEADER, enforceDecision } from '../../policy/authorize-action.js';

/** What authorize needs from the tenant registry: the tenant's policy mode. */
export interface PolicyModeSource {
  get(scope: TenantScope): { readonly config: Pick<TenantConfig, 'policy'> };
}

export interface AuthorizeStageDeps {
  /** The PolicyEngine itself: it swaps bundles internally on reload, so holding it is enough. */
  readonly engine: PolicyDecider;
  readonly registry: PolicyModeSource;
  readonly logger: Logger;
}

function record(ctx: RequestContext, decision: PolicyDecision): void {
  ctx.decision = decision;
  ctx.responseHeaders[DECISION_HEADER] = decision.id;
}

/**
 * Stage `authorize`: evaluates the Rego policy for the model call (`model.invoke` on the tier or
 * direct model; `model.list` on the tenant's model list for GET /v1/models). Writes
 * `ctx.decision` and `x-workjet-decision-id`. Deny → 403 policy_denied with the policy's reasons;
 * in the tenant's dry-run mode the denial is logged and marked `wouldDeny` and the request
 * proceeds. A policy that cannot decide → 500 policy_error in both modes (never allowed).
 */
export function createAuthorizeStage(deps: AuthorizeStageDeps): Stage {
  const { engine, registry, logger } = deps;
  return {
    name: 'authorize',
    run(ctx: RequestContext) {
      const principal = ctx.principal;
      const listing = ctx.route === 'models';
      const request = listing ? ctx.peekRequest() : ctx.request;
      const resource: PolicyResource = request
        ? targetResource(request.target, principal.tenantId)
        : { type: 'models', id: principal.tenantId, tenant: principal.tenantId };
      const input = buildPolicyInput({
        action: listing ? 'model.list' : 'model.invoke',
        principal,
        resource,
        method: ctx.req.method ?? 'GET',
        path: ctx.req.url ?? '/',
        ip: ctx.ip,
        time: ctx.receivedAt,
        ...(request ? { summary: requestSummary(request) } : {}),
      });
      let decision: PolicyDecision;
      try {
        decision = engine.decide(input);
      } catch (err) {
        if (err instanceof PolicyError) record(ctx, { id: err.decisionId, allow: false, reasons: ['policy evaluation failed'], wouldDeny: false });
        throw err;
      }
      record(ctx, decision);
      if (decision.allow) return;
      // Only a denial needs the tenant's mode: enforce throws, dry-run returns it marked wouldDeny.
      record(ctx, enforceDecision(decision, input, registry.get(principal.scope).config.policy.mode, logger));
    },
  };
}
