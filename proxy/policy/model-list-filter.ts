import type { Principal, ModelTarget } from '../core/vocabulary.js';
import type { PolicyDecider } from './policy-engine.js';
import { buildPolicyInput, targetResource } from './policy-input.js';
import type { PolicyMode } from './authorize-action.js';

export interface ModelListRequest {
  readonly principal: Principal;
  readonly method: string;
  readonly path: string;
  readonly ip: string;
  readonly time: Date;
  readonly mode: PolicyMode;
}

/**
 * The targets (tiers, direct models) `GET /v1/models` may show: those the policy allows the
 * caller to `model.list`. In dry-run every target is kept. A policy error propagates (the
 * list fails closed rather than showing everything).
 */
export function filterListableTargets<T extends ModelTarget>(engine: PolicyDecider, request: ModelListRequest, targets: Iterable<T>): T[] {
  const out: T[] = [];
  for (const target of targets) {
    if (request.mode === 'dry-run') {
      out.push(target);
      continue;
    }
    const input = buildPolicyInput({
      action: 'model.list',
      principal: request.principal,
      resource: targetResource(target, request.principal.tenantId),
      method: request.method,
      path: request.path,
      ip: request.ip,
      time: request.time,
    });
    if (engine.decide(input).allow) out.push(target);
  }
  return out;
}
