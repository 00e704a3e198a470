import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { tenantTables } from './migrations/001-tenant-tables.js';
import { skillTables } from './migrations/002-skill-tables.js';
import { rowLevelSecurity } from './migrations/003-row-level-security.js';

/** The versioned migrations, in order. Add a file and a line; never edit an applied one. */
function migrations(kind: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '001-tenant-tables': tenantTables,
    '002-skill-tables': skillTables,
    '003-row-level-security': rowLevelSecurity(kind),
  };
}

class InCodeProvider implements MigrationProvider {
  constructor(private readonly kind: 'sqlite' | 'postgres') {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.kind));
  }
}

/** Applies every pending migration (Kysely's Migrator: one lock, one table of applied names). Throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>, kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeProvider(kind), migrationTableName: 'workjet_migration', migrationLockTableName: 'workjet_migration_lock' });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`store migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return applied(results);
}

function applied(results: MigrationResultSet['results']): string[] {
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
