import type { Kysely, Migration } from 'kysely';

/** The tenant data tables (both dialects). Composite primary keys start with tenant_id. */
export const tenantTables: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('plan', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('policy_mode', 'text', (c) => c.notNull().defaultTo('enforce'))
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('users')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'id'])
      .execute();
    await db.schema
      .createTable('api_keys')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('api_keys_pk', ['tenant_id', 'id'])
      .execute();
    await db.schema.createIndex('api_keys_sha256').on('api_keys').column('sha256').unique().execute();
    await db.schema
      .createTable('providers')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('base_url', 'text')
      .addColumn('api_key_enc', 'text')
      .addColumn('key_in_config', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('anthropic_version', 'text', (c) => c.notNull().defaultTo('2023-06-01'))
      .addColumn('timeout_ms', 'integer')
      .addColumn('source', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('providers_pk', ['tenant_id', 'name'])
      .execute();
    await db.schema
      .createTable('tiers')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('fallbacks', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('tiers_pk', ['tenant_id', 'name'])
      .execute();
    await db.schema
      .createTable('tenant_settings')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('dlp', 'text', (c) => c.notNull())
      .addColumn('dlp_source', 'text', (c) => c.notNull())
      .addColumn('rate_limits', 'text', (c) => c.notNull())
      .addColumn('limits_source', 'text', (c) => c.notNull())
      .addColumn('budget', 'text')
      .addColumn('budget_source', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['tenant_settings', 'tiers', 'providers', 'api_keys', 'users', 'tenants']) await db.schema.dropTable(table).execute();
  },
};
