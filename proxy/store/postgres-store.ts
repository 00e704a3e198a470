import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { StoreConfig } from '../config/schema.js';
import type { Db } from './db-types.js';
import type { MasterKeyring } from './master-key.js';
import { migrateToLatest } from './migrate.js';
import { GATEWAY_TABLES } from './migrations/003-row-level-security.js';
import { ChangeListener } from './postgres-listener.js';
import { SqlTenantStore } from './sql-tenant-store.js';

type PostgresStoreConfig = Extract<StoreConfig, { kind: 'postgres' }>;

/** Whether the role behind a connection escapes row-level security (owns the tables, superuser or BYPASSRLS). */
async function escapesRls(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ escapes: boolean }>`
    select (r.rolsuper or r.rolbypassrls or exists (
      select 1 from pg_tables t where t.schemaname = current_schema() and t.tablename = 'api_keys' and t.tableowner = current_user)) as escapes
    from pg_roles r where r.rolname = current_user`.execute(db);
  return rows[0]?.escapes ?? false;
}

async function grantGatewayRole(owner: Kysely<unknown>, role: string): Promise<void> {
  for (const table of GATEWAY_TABLES) await sql`grant select, insert, update, delete on ${sql.table(table)} to ${sql.id(role)}`.execute(owner);
  await sql`grant usage on schema ${sql.id('public')} to ${sql.id(role)}`.execute(owner);
}

/** Creates the derived NOLOGIN role when missing (two instances may race: "already exists" is fine). */
async function ensureRole(owner: Kysely<unknown>, role: string): Promise<void> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_roles where rolname = ${role}`.execute(owner);
  if ((rows[0]?.n ?? 0) === 0) {
    try {
      await sql`create role ${sql.id(role)} nologin`.execute(owner);
    } catch (err) {
      if ((err as { code?: string }).code !== '42710') {
        throw new Error(`store.url's role cannot create the gateway role "${role}" (${err instanceof Error ? err.message : String(err)}): give it CREATEROLE, create the role yourself, or set store.migrationUrl to the owner and store.url to a role that does not own the tables (README, "Running with PostgreSQL")`);
      }
    }
  }
  await sql`grant ${sql.id(role)} to current_user`.execute(owner);
}

/**
 * Opens the PostgreSQL store. Migrations run as the table owner (`migrationUrl`, else `url`);
 * the gateway then works as a role row-level security applies to: `url`'s own role when it
 * neither owns the tables nor bypasses RLS (two-URL setup, privileges granted here), else the
 * derived `appRole`, which every pooled connection switches to with SET ROLE.
 */
export async function openPostgresStore(cfg: PostgresStoreConfig, deps: { keyring: MasterKeyring; logger: Logger }): Promise<SqlTenantStore> {
  const owner = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: cfg.migrationUrl ?? cfg.url, max: 1 }) }) });
  let setRole: string | undefined;
  try {
    await migrateToLatest(owner, 'postgres');
    // Instances starting together would race on CREATE ROLE and GRANT ("tuple concurrently updated").
    // The owner pool has one connection, so this session lock covers the statements below.
    await sql`select pg_advisory_lock(hashtext('workjet.roles'))`.execute(owner);
    if (cfg.migrationUrl === undefined) {
      if (await escapesRls(owner)) {
        await ensureRole(owner, cfg.appRole);
        await grantGatewayRole(owner, cfg.appRole);
        setRole = cfg.appRole;
      }
    } else {
      const app = new pg.Client({ connectionString: cfg.url });
      await app.connect();
      const who = await app.query<{ u: string }>('select current_user as u').finally(() => app.end());
      const role = who.rows[0]?.u;
      if (role !== undefined) await grantGatewayRole(owner, role);
    }
    await sql`select pg_advisory_unlock(hashtext('workjet.roles'))`.execute(owner);
  } finally {
    await owner.destroy();
  }
  const pool = new pg.Pool({ connectionString: cfg.url, max: cfg.poolSize });
  if (setRole !== undefined) {
    const statement = `set role "${setRole}"`;
    // Queued before any query the pool hands this client out for.
    pool.on('connect', (client) => void client.query(statement).catch((err: unknown) => deps.logger.error({ err }, 'store: SET ROLE failed')));
  }
  pool.on('error', (err) => deps.logger.warn({ err }, 'store: idle PostgreSQL connection failed'));
  // pg emits 'error' on a checked-out client the server drops between two of its queries (a
  // restart, "terminating connection due to administrator command"); pg-pool listens only while
  // the client is idle, so without this the process would die of an unhandled 'error' event.
  pool.on('connect', (client) => client.on('error', (err) => deps.logger.warn({ err }, 'store: PostgreSQL connection failed')));
  const db = new Kysely<Db>({ dialect: new PostgresDialect({ pool }) });
  if (setRole === undefined && (await escapesRls(db as Kysely<unknown>))) {
    deps.logger.warn('store: store.url connects as a role that bypasses row-level security; see README "Running with PostgreSQL"');
  }
  const listener = new ChangeListener(cfg.url, deps.logger);
  const store = new SqlTenantStore('postgres', {
    db,
    keyring: deps.keyring,
    logger: deps.logger,
    onClose: async () => {
      await listener.close();
      await db.destroy();
    },
  });
  await listener.start((payload) => store.notifyRemoteChange(payload));
  return store;
}
