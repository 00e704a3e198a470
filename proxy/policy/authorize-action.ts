import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import type { Principal, PolicyDecision } from '../core/vocabulary.js';
import type { PolicyAction } from './actions.js';
import { DECISION_HEADER, type PolicyDecider } from './policy-engine.js';
import { buildPolicyInput, type PolicyInput, type PolicyResource } from './policy-input.js';

export type PolicyMode = 'enforce' | 'dry-run';

export { DECISION_HEADER };

/** 403 `policy_denied` carrying the policy's reasons and the decision id header. */
export function policyDenied(decision: PolicyDecision): GatewayError {
  const reasons = decision.reasons.length > 0 ? decision.reasons.join('; ') : 'no rule allowed this request';
  return new GatewayError('policy_denied', `Denied by policy: ${reasons}.`, { headers: { [DECISION_HEADER]: decision.id } });
}

/**
 * Applies a decision in the tenant's mode: enforce throws policy_denied on deny; dry-run logs
 * "would deny", marks the decision `wouldDeny` and lets it pass. Returns the decision to record.
 */
export function enforceDecision(decision: PolicyDecision, input: PolicyInput, mode: PolicyMode, logger: Logger | undefined): PolicyDecision {
  if (decision.allow) return decision;
  const fields = { decisionId: decision.id, tenant: input.tenant.id, user: input.principal.user, action: input.action, resource: input.resource.id, reasons: decision.reasons };
  if (mode === 'dry-run') {
    logger?.warn(fields, 'policy would deny (dry-run): allowing');
    return { ...decision, wouldDeny: true };
  }
  logger?.info(fields, 'policy denied');
  throw policyDenied(decision);
}

export interface AuthorizeActionRequest {
  readonly principal: Principal;
  readonly action: PolicyAction;
  readonly resource: PolicyResource;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  /** Defaults to now. */
  readonly time?: Date;
  /** The caller's tenant policy mode (`config.policy.mode`); defaults to enforce. */
  readonly mode?: PolicyMode;
  readonly logger?: Logger;
}

/**
 * Authorizes one admin API call (or any non-model action). Returns the decision (for the audit
 * record and `x-workjet-decision-id`); throws 403 policy_denied when denied in enforce mode,
 * and 500 policy_error when the policy cannot decide.
 */
export function authorizeAction(engine: PolicyDecider, request: AuthorizeActionRequest): PolicyDecision {
  const input = buildPolicyInput({
    action: request.action,
    principal: request.principal,
    resource: request.resource,
    method: request.method,
    path: request.path,
    ip: request.ip,
    time: request.time ?? new Date(),
  });
  return enforceDecision(engine.decide(input), input, request.mode ?? 'enforce', request.logger);
}
