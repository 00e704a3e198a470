import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { TenantRegistry } from '../../tenants/tenant-registry.js';
import type { PolicyDecider } from '../../policy/policy-engine.js';
import { filterListableTargets } from '../../policy/model-list-filter.js';
import { renderModelList } from '../../providers/models-list.js';

/**
 * `GET /v1/models`: the caller's tenant's tiers that the policy lets it list. Answers through
 * `ctx.pendingResponse` like forward, so the audit record is kept before the answer goes out.
 */
export function createListModelsStage(deps: { registry: TenantRegistry; engine: PolicyDecider; startedAt: number }): Stage {
  const created = Math.floor(deps.startedAt / 1000);
  return {
    name: 'list-models',
    run(ctx: RequestContext) {
      const tenant = deps.registry.get(ctx.principal.scope);
      const allowed = filterListableTargets(
        deps.engine,
        { principal: ctx.principal, method: 'GET', path: '/v1/models', ip: ctx.ip, time: ctx.receivedAt, mode: tenant.config.policy.mode },
        tenant.tiers.values(),
      );
      const body = JSON.stringify(renderModelList({ allowed: allowed.map((t) => t.name), ownedBy: tenant.config.id, created }));
      ctx.pendingResponse = { status: 200, headers: { 'content-type': 'application/json' }, body };
    },
  };
}
