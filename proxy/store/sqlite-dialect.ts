import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDialectConfig, type TransactionSettings } from 'kysely';

/**
 * Kysely's SQLite driver with write transactions that wait for each other across processes.
 * Kysely opens every transaction with a deferred `BEGIN`: it takes the write lock only at its
 * first write, and a transaction that has already read cannot wait for that lock (SQLite would
 * risk a deadlock), so it fails at once with "database is locked" whatever `busy_timeout` says.
 * `BEGIN IMMEDIATE` takes the write lock first, so a second writer (another CLI run, a gateway
 * migrating at start) waits its turn. A transaction marked `read only` stays deferred: it reads
 * its WAL snapshot without taking the write lock (SQLite does not enforce the marking).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate'));
  }
}

/**
 * SQLite runs DDL inside transactions; Kysely's adapter says it does not, so its migrator ran
 * SQLite migrations without one (and without a lock): two processes opening a fresh file both
 * found migrations pending and the second died on "table … already exists". Saying yes makes
 * the migrator run them in one (immediate) transaction: one process migrates, the other waits
 * and then finds nothing pending, and a failing migration leaves nothing half applied.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** `SqliteDialect` with the driver and adapter above; everything else is Kysely's own. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
