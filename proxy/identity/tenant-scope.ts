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

/**
 * Mints a scope. Call sites: the tenant registry (for ids the store lists, which identify then
 * hands out through a runtime), the store's YAML apply and operator door (for ids the operator
 * declared or typed), and tests. Never from request data: an admin route's path or body never
 * reaches this function.
 */
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
