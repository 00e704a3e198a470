import type { Kysely, Migration } from 'kysely';

/** Skills and marketplace listings (a later issue builds on them; cheap to create now). */
export const skillTables: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('skills')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('system_prompt', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('installed_from', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('skills_pk', ['tenant_id', 'id'])
      .execute();
    // A listing is the one row another tenant may read (published metadata); its own tenant writes it.
    await db.schema
      .createTable('marketplace_listings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('skill_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('system_prompt', 'text', (c) => c.notNull())
      .addColumn('published_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('marketplace_listings').execute();
    await db.schema.dropTable('skills').execute();
  },
};
