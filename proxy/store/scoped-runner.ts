import type { TenantScope } from '../identity/tenant-scope.js';
import type { ScopedDb } from './scoped-db.js';
import { StoreError } from './store-error.js';

/**
 * How repositories reach the database: one transaction per call, for the scope's tenant
 * only. `write` also bumps the tenant's version (and notifies other instances on
 * PostgreSQL) and resolves after this instance's listeners have refreshed.
 */
export interface ScopedRunner {
  read<T>(scope: TenantScope, fn: (db: ScopedDb) => Promise<T>): Promise<T>;
  write<T>(scope: TenantScope, fn: (db: ScopedDb) => Promise<T>): Promise<T>;
}

/** Throws `managed_by_config` for a row the YAML file declares. */
export function assertApiOwned(row: { source: string } | undefined, what: string): void {
  if (row?.source === 'config') throw new StoreError('managed_by_config', `${what} is declared in the configuration file; change it there`);
}

/** Throws `not_found` (the same for another tenant's id as for no id at all). */
export function found<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new StoreError('not_found', `${what} not found`);
  return row;
}

/** ISO-8601 UTC now. */
export function nowIso(): string {
  return new Date().toISOString();
}
