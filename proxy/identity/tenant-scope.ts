/**
 * Proof that a tenant id came from an identified principal. Every store method takes a
 * TenantScope first; none takes a raw tenant string. Only the identify stage (and startup
 * code acting for the operator) can mint one, through `mintTenantScope`.
 */
declare const scopeBrand: unique symbol;

export interface TenantScope {
  readonly tenantId: string;
  readonly [scopeBrand]: true;
}

const minted = new WeakSet<object>();

/** Mints a scope. Call sites: identify stage, startup/operator tooling. Never from request data. */
export function mintTenantScope(tenantId: string): TenantScope {
  const scope = Object.freeze({ tenantId }) as TenantScope;
  minted.add(scope);
  return scope;
}

/** Throws when handed something that was not minted here (e.g. a forged `{tenantId}` object). */
export function assertTenantScope(scope: TenantScope): TenantScope {
  if (!minted.has(scope)) throw new TypeError('not a minted TenantScope');
  return scope;
}
