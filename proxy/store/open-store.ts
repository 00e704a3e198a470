import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { MasterKeyring } from './master-key.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
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
  /** Apply the YAML `tenants:` after migrating (default true; the migrate command passes false). */
  readonly applyConfig?: boolean;
}

/**
 * Opens the store the config names (`store.kind`: sqlite by default, at `store.path` or
 * `<audit.dir>/workjet.db`; or postgres at `store.url`), applies pending migrations, then the
 * YAML `tenants:`. The caller closes it.
 */
export async function openTenantStore(options: OpenStoreOptions): Promise<TenantStore> {
  const keyring = new MasterKeyring(options.env ?? process.env);
  const logger = options.logger.child({ component: 'store' });
  const cfg = options.config.store;
  const store = cfg.kind === 'postgres' ? await openPostgresStore(cfg, { keyring, logger }) : await openSqliteStore(options.config, { keyring, logger });
  if (options.applyConfig !== false) {
    try {
      await store.applyConfig(options.config);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
