import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { Db } from './db-types.js';
import type { MasterKeyring } from './master-key.js';
import { migrateToLatest } from './migrate.js';
import { SqlTenantStore } from './sql-tenant-store.js';
import { enableWal } from '../sqlite/enable-wal.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

/** The SQLite file a config uses: `store.path`, else `<audit.dir>/workjet.db` (`./data/workjet.db` by default). */
export function sqliteStorePath(config: GatewayConfig): string {
  if (config.store.kind === 'sqlite' && config.store.path !== undefined) return config.store.path === ':memory:' ? ':memory:' : resolve(config.store.path);
  return join(resolve(config.audit.dir), 'workjet.db');
}

/** Opens (creating if needed) the embedded store and applies pending migrations. */
export async function openSqliteStore(config: GatewayConfig, deps: { keyring: MasterKeyring; logger: Logger }): Promise<SqlTenantStore> {
  const path = sqliteStorePath(config);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  // WAL: the gateway reads while a CLI (`npm run tenants`) writes; busy_timeout waits out the other
  // writer (write transactions begin IMMEDIATE for that: see sqlite-dialect.ts).
  if (path !== ':memory:') enableWal(database);
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Db>({ dialect: new ImmediateSqliteDialect({ database }) });
  try {
    await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new SqlTenantStore('sqlite', { db, keyring: deps.keyring, logger: deps.logger, onClose: () => db.destroy() });
}
