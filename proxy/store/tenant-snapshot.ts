import type { TenantConfig } from '../config/schema.js';
import type { TenantRecord } from './entities.js';

/**
 * One tenant as the request path needs it, read from the store in one transaction: the same
 * `TenantConfig` shape the YAML produces (so the registry compiles both sources alike), with
 * provider keys decrypted (API) or taken from the live YAML (config), and the version it was
 * read at. Lives only in memory; never serialised.
 */
export interface TenantSnapshot {
  readonly tenant: TenantRecord;
  readonly config: TenantConfig;
  readonly version: number;
}
