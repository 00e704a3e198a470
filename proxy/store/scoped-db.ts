import { sql, type Expression, type SqlBool, type DeleteQueryBuilder, type DeleteResult, type Insertable, type InsertQueryBuilder, type InsertResult, type SelectQueryBuilder, type Transaction, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Db, MarketplaceListingsTable, TenantTable, TenantsTable } from './db-types.js';

/** A builder seen through its single-expression `where`. */
interface Filterable<B> {
  where(expression: Expression<SqlBool>): B;
}

/**
 * For a generic table parameter TypeScript expands Kysely's builder into a union of six
 * incompatible `where` overload sets; every one of them accepts one boolean expression, which
 * is all this layer calls, so the builder is viewed through that one signature.
 */
function filterable<B>(builder: unknown): Filterable<B> {
  return builder as Filterable<B>;
}

/**
 * The scoped query layer: the only handle repositories get on tenant data. It is built for
 * one tenant inside one transaction and can only build queries that carry that tenant:
 * `selectFrom`, `updateTable` and `deleteFrom` add `tenant_id = <scope>` before the caller
 * sees the builder, and `insertInto` sets `tenant_id` itself (the values type has no such
 * column). Raw SQL and the unscoped Kysely instance stay outside (store internals only).
 * On PostgreSQL the same transaction carries `workjet.tenant_id`, which row-level security
 * checks as the second net.
 */
export class ScopedDb {
  readonly #trx: Transaction<Db>;
  readonly tenantId: string;

  constructor(trx: Transaction<Db>, tenantId: string) {
    this.#trx = trx;
    this.tenantId = tenantId;
  }

  /** SELECT … FROM table WHERE table.tenant_id = scope. */
  selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<Db, T, object> {
    return filterable<SelectQueryBuilder<Db, T, object>>(this.#trx.selectFrom(table)).where(this.#mine(table));
  }

  /** UPDATE table … WHERE table.tenant_id = scope (add the rest with `.set()` and `.where()`). */
  updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<Db, T, T, UpdateResult> {
    return filterable<UpdateQueryBuilder<Db, T, T, UpdateResult>>(this.#trx.updateTable(table)).where(this.#mine(table));
  }

  /** DELETE FROM table WHERE table.tenant_id = scope. */
  deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<Db, T, DeleteResult> {
    return filterable<DeleteQueryBuilder<Db, T, DeleteResult>>(this.#trx.deleteFrom(table)).where(this.#mine(table));
  }

  /** INSERT INTO table with tenant_id = scope on every row. */
  insertInto<T extends TenantTable>(table: T, rows: ReadonlyArray<Omit<Insertable<Db[T]>, 'tenant_id'>>): InsertQueryBuilder<Db, T, InsertResult> {
    const scoped = rows.map((row) => ({ ...row, tenant_id: this.tenantId }));
    // The spread type is exactly Insertable<Db[T]>; TypeScript cannot prove it for a generic T.
    return this.#trx.insertInto(table).values(scoped as unknown as Insertable<Db[T]>[]);
  }

  /** This tenant's directory row (plan, disabled, source, version). */
  tenant() {
    return this.#trx.selectFrom('tenants').selectAll().where('id', '=', this.tenantId).executeTakeFirst();
  }

  /** Creates this tenant's directory row (operator door, YAML apply). */
  async insertTenant(row: Omit<Insertable<TenantsTable>, 'id'>): Promise<void> {
    await this.#trx.insertInto('tenants').values({ ...row, id: this.tenantId }).execute();
  }

  /** Changes this tenant's directory row. */
  async updateTenant(patch: Partial<Pick<TenantsTable, 'plan' | 'policy_mode' | 'source' | 'disabled'>>): Promise<void> {
    await this.#trx.updateTable('tenants').set(patch).where('id', '=', this.tenantId).execute();
  }

  /** Marks this tenant changed (every instance compares versions) and returns the new version; undefined when the tenant row is gone. */
  async bumpVersion(): Promise<number | undefined> {
    const row = await this.#trx
      .updateTable('tenants')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', this.tenantId)
      .returning('version')
      .executeTakeFirst();
    return row?.version;
  }

  /** This tenant's own listings, with the link to their source skills (publish, unpublish, delete only). */
  ownListings() {
    return this.#trx.selectFrom('marketplace_listings').selectAll().where('tenant_id', '=', this.tenantId);
  }

  /** Publishes a listing owned by this tenant. */
  async insertListing(row: Omit<MarketplaceListingsTable, 'tenant_id'>): Promise<void> {
    await this.#trx.insertInto('marketplace_listings').values({ ...row, tenant_id: this.tenantId }).execute();
  }

  /** Refreshes this tenant's listing of `skillId` (a re-publish). */
  async updateOwnListing(skillId: string, patch: Pick<MarketplaceListingsTable, 'name' | 'description' | 'system_prompt' | 'published_at'>): Promise<void> {
    await this.#trx.updateTable('marketplace_listings').set(patch).where('tenant_id', '=', this.tenantId).where('skill_id', '=', skillId).execute();
  }

  /** Removes this tenant's listing of `skillId` (unpublish, delete); never another tenant's. */
  async deleteOwnListings(skillId: string): Promise<void> {
    await this.#trx.deleteFrom('marketplace_listings').where('tenant_id', '=', this.tenantId).where('skill_id', '=', skillId).execute();
  }

  /**
   * Every tenant's published metadata: the one cross-tenant read. Only the public columns can
   * be selected through it (no tenant id, no skill id).
   */
  publishedListings() {
    return this.#trx.selectFrom('marketplace_listings').select(['marketplace_listings.id', 'marketplace_listings.name', 'marketplace_listings.description', 'marketplace_listings.system_prompt', 'marketplace_listings.published_at']);
  }

  #mine(table: TenantTable): Expression<SqlBool> {
    return sql<SqlBool>`${sql.ref(`${table}.tenant_id`)} = ${this.tenantId}`;
  }
}
