import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from '../helpers/gateway.js';

/**
 * "Nothing outside the scoped layer touches the tenant tables", checked on the sources: only
 * the store's plumbing imports a database driver or the query builder, repositories build
 * queries only through ScopedDb (no raw `sql`, no Kysely instance), and no file outside
 * proxy/store/ imports the store's internals.
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(join(REPO_ROOT, 'proxy')).map((path) => ({ path: relative(REPO_ROOT, path), text: readFileSync(path, 'utf8') }));
const importsOf = (text: string): string[] => [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');

// The store's plumbing: dialects, migrations, the transaction runner and the scoped layer itself.
const PLUMBING = new Set([
  'proxy/store/migrate.ts',
  'proxy/store/migrations/001-tenant-tables.ts',
  'proxy/store/migrations/002-skill-tables.ts',
  'proxy/store/migrations/003-row-level-security.ts',
  'proxy/store/postgres-listener.ts',
  'proxy/store/postgres-store.ts',
  'proxy/store/scoped-db.ts',
  'proxy/store/sql-tenant-store.ts',
  'proxy/store/sqlite-dialect.ts',
  'proxy/store/sqlite-store.ts',
  'proxy/sqlite/enable-wal.ts',
]);
// The spend ledger keeps its own SQLite file (not tenant data), as before the store existed,
// commits it in groups and writes each group's sums.
const OWN_DATABASE = new Set(['proxy/limits/sqlite-spend-ledger.ts', 'proxy/limits/sqlite-group-commit.ts', 'proxy/limits/spend-batch.ts']);

t.test('only the store plumbing imports kysely, pg or better-sqlite3', async (t) => {
  const offenders = files.filter((f) => importsOf(f.text).some((m) => m === 'kysely' || m === 'pg' || m === 'better-sqlite3') && !PLUMBING.has(f.path) && !OWN_DATABASE.has(f.path));
  t.same(offenders.map((f) => f.path), []);
});

t.test('repositories reach the tables only through ScopedDb', async (t) => {
  const repositories = files.filter((f) => f.path.startsWith('proxy/store/repositories/'));
  t.ok(repositories.length >= 5, 'the repositories are where this test looks for them');
  for (const f of repositories) {
    t.notOk(importsOf(f.text).some((m) => m === 'kysely' || m.endsWith('/sql-tenant-store.js')), `${f.path} builds no query outside ScopedDb`);
  }
});

t.test('outside proxy/store/ only the public interface is imported', async (t) => {
  const PUBLIC = ['/store/tenant-store.js', '/store/open-store.js', '/store/entities.js', '/store/store-error.js', '/store/tenant-snapshot.js'];
  const offenders = files
    .filter((f) => !f.path.startsWith('proxy/store/'))
    .flatMap((f) => importsOf(f.text).filter((m) => m.includes('/store/') && !PUBLIC.some((p) => m.endsWith(p))).map((m) => `${f.path} → ${m}`));
  t.same(offenders, []);
});
