import type { TenantConfig } from '../config/schema.js';
import type { TenantScope } from '../identity/tenant-scope.js';

/** What the limit and budget stages need from the tenant registry (`TenantRegistry` satisfies it). */
export interface TenantConfigSource {
  get(scope: TenantScope): { readonly config: TenantConfig };
}
