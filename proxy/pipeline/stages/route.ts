import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { ClientApi, RouteKind } from '../../core/vocabulary.js';
import type { TierConfig } from '../../config/schema.js';
import type { TenantScope } from '../../identity/tenant-scope.js';
import type { ProviderEndpoint } from '../../providers/provider-adapter.js';
import { callShape } from '../../translate/call-shape.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { RouteAttempt, RoutePlan } from '../stage-results.js';

/** What route needs from the tenant registry (structurally satisfied by `TenantRuntime`). */
export interface RouteTenantRuntime {
  readonly providers: ReadonlyMap<string, ProviderEndpoint>;
  readonly config: { readonly tiers: Readonly<Record<string, TierConfig>> };
}

export interface RouteRegistry {
  get(scope: TenantScope): RouteTenantRuntime;
}

export type { RouteAttempt, RoutePlan } from '../stage-results.js';

/** The plan route stored for this request; reading it before route ran is a bug. */
export function getRoutePlan(ctx: RequestContext): RoutePlan {
  return ctx.plan;
}

/** A provider serves an attempt in the client's own API, or through a translator for the pair. */
function canServe(provider: ProviderEndpoint, api: ClientApi, route: RouteKind): boolean {
  return callShape(provider.type, api, route) !== undefined;
}

/**
 * Stage `route`: turns the target parse resolved (within the caller's tenant) and the tier's
 * `fallbacks` into the attempt list. Every provider is looked up in the caller's tenant only,
 * so an attempt can only ever carry that tenant's key. Fallback tiers contribute their own
 * provider and model, not their fallbacks (one level: no cycles). Fallbacks that name an
 * unknown provider or speak another API are skipped; duplicates are dropped.
 */
export function createRouteStage(deps: { registry: RouteRegistry }): Stage {
  return {
    name: 'route',
    run(ctx: RequestContext) {
      const target = ctx.request.target;
      const tenant = deps.registry.get(ctx.principal.scope);
      const attempts: RouteAttempt[] = [];
      const seen = new Set<string>();
      const add = (label: string, providerName: string, model: string): void => {
        const provider = tenant.providers.get(providerName);
        if (!provider || !canServe(provider, ctx.api, ctx.route)) return;
        const key = providerName + '\u0000' + model;
        if (seen.has(key)) return;
        seen.add(key);
        attempts.push({ label, provider, model });
      };
      add(target.name, target.provider, target.model);
      if (attempts.length === 0) throw new GatewayError('model_not_found', `The model '${target.name}' has no provider for this endpoint.`, { param: 'model' });
      const tier = target.kind === 'tier' ? tenant.config.tiers[target.name] : undefined;
      for (const fallback of tier?.fallbacks ?? []) {
        if (typeof fallback === 'string') {
          const other = tenant.config.tiers[fallback];
          if (other) add(fallback, other.provider, other.model);
        } else {
          add(`${fallback.provider}/${fallback.model}`, fallback.provider, fallback.model);
        }
      }
      ctx.plan = { attempts } satisfies RoutePlan;
    },
  };
}
