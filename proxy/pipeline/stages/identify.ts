import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { TenantRegistry } from '../../tenants/tenant-registry.js';
import type { SessionVerifier } from '../../identity/session-verifier.js';
import { identify } from '../../identity/identify-credential.js';

/** Stage `identify`: writes `ctx.principal`. */
export function createIdentifyStage(deps: { registry: TenantRegistry; sessions: SessionVerifier | undefined; now?: () => number }): Stage {
  const now = deps.now ?? Date.now;
  return {
    name: 'identify',
    async run(ctx: RequestContext) {
      ctx.principal = await identify(deps.registry, deps.sessions, ctx.req.headers, now());
    },
  };
}
