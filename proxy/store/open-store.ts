import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { TenantStore } from './tenant-store.js';

/** Environment the store reads: the master key for provider keys at rest (and the previous one during rotation). */
export interface StoreEnv {
  readonly WORKJET_MASTER_KEY?: string | undefined;
  readonly WORKJET_MASTER_KEY_PREVIOUS?: string | undefined;
}

export interface OpenStoreOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly env?: StoreEnv;
  /** Backstop poll of tenant versions (PostgreSQL), default 500 ms. */
  readonly pollIntervalMs?: number;
}

/**
 * Opens the store the config names (`store.kind`: sqlite by default, at `store.path` or
 * `<audit.dir>/workjet.db`; or postgres at `store.url`), applies pending migrations, then the
 * YAML `tenants:`. The caller closes it.
 */
export async function openTenantStore(options: OpenStoreOptions): Promise<TenantStore> {
  void options;
  throw new Error('openTenantStore: not implemented yet');
}
