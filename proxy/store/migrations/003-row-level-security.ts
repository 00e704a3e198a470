import { sql, type Kysely, type Migration } from 'kysely';

/** The per-transaction setting every tenant policy compares with (set by the scoped layer). */
export const TENANT_SETTING = 'workjet.tenant_id';

const TENANT_OWNED = ['users', 'api_keys', 'providers', 'tiers', 'tenant_settings', 'skills'] as const;

/**
 * PostgreSQL only (SQLite has no roles: one process owns the file). Row-level security as the
 * second net under the scoped query layer: a role that does not own the tables sees and
 * writes only rows whose tenant_id equals `current_setting('workjet.tenant_id')`, which the
 * scoped layer sets with `set_config(…, true)` per transaction; no setting, no rows.
 * Tenants and marketplace listings are readable by every tenant (the directory of ids, plans
 * and versions, and published skill metadata) and writable only by their own tenant.
 */
export function rowLevelSecurity(kind: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (kind !== 'postgres') return;
      const mine = (column: string) => sql`${sql.ref(column)} = current_setting(${sql.lit(TENANT_SETTING)}, true)`;
      for (const table of TENANT_OWNED) {
        await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
        await sql`CREATE POLICY tenant_isolation ON ${sql.table(table)} USING (${mine('tenant_id')}) WITH CHECK (${mine('tenant_id')})`.execute(db);
      }
      for (const [table, column] of [['tenants', 'id'], ['marketplace_listings', 'tenant_id']] as const) {
        await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
        await sql`CREATE POLICY directory_read ON ${sql.table(table)} FOR SELECT USING (true)`.execute(db);
        await sql`CREATE POLICY own_insert ON ${sql.table(table)} FOR INSERT WITH CHECK (${mine(column)})`.execute(db);
        await sql`CREATE POLICY own_update ON ${sql.table(table)} FOR UPDATE USING (${mine(column)}) WITH CHECK (${mine(column)})`.execute(db);
        await sql`CREATE POLICY own_delete ON ${sql.table(table)} FOR DELETE USING (${mine(column)})`.execute(db);
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (kind !== 'postgres') return;
      for (const table of [...TENANT_OWNED, 'tenants', 'marketplace_listings']) await sql`ALTER TABLE ${sql.table(table)} DISABLE ROW LEVEL SECURITY`.execute(db);
    },
  };
}

/** Every table the gateway's role needs privileges on (granted after migrations). */
export const GATEWAY_TABLES = [...TENANT_OWNED, 'tenants', 'marketplace_listings'] as const;
