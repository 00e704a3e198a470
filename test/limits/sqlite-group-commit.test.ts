import t from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteGroupCommit } from '../../proxy/limits/sqlite-group-commit.js';

function openDb(file: string, busyTimeoutMs = 5000): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.exec('CREATE TABLE IF NOT EXISTS item (name TEXT PRIMARY KEY)');
  return db;
}

t.test('operations queued in one tick share one transaction, and each sees the ones before it', async (t) => {
  const file = join(t.testdir(), 'gc.db');
  const db = openDb(file);
  const observer = openDb(file);
  t.teardown(() => {
    db.close();
    observer.close();
  });
  const commits = new SqliteGroupCommit(db);
  const insert = db.prepare<[string]>('INSERT INTO item (name) VALUES (?)');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM item');
  // data_version changes once per commit made by another connection.
  const version = (): number => observer.pragma('data_version', { simple: true }) as number;
  const before = version();
  const seen = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      commits.run(() => {
        insert.run(`item-${i}`);
        return count.get()?.n;
      }),
    ),
  );
  t.same(seen, Array.from({ length: 20 }, (_, i) => i + 1), 'each operation saw the rows of the ones before it');
  t.equal(version() - before, 1, 'twenty operations, one commit');
  t.equal(count.get()?.n, 20);
});

t.test('an operation that throws rolls back only its own writes', async (t) => {
  const db = openDb(join(t.testdir(), 'gc.db'));
  t.teardown(() => db.close());
  const commits = new SqliteGroupCommit(db);
  const insert = db.prepare<[string]>('INSERT INTO item (name) VALUES (?)');
  // Each operation reports whether its writes are in the file before any promise of the batch settles.
  const events: string[] = [];
  const told = (name: string) => (committed: boolean) => events.push(`${name}:${committed}`);
  const results = await Promise.allSettled([
    commits.run(() => insert.run('a'), told('a')).finally(() => events.push('a settled')),
    commits.run(() => {
      insert.run('b');
      throw new Error('over the cap');
    }, told('b')),
    commits.run(() => insert.run('c'), told('c')),
  ]);
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.same(events, ['a:true', 'b:false', 'c:true', 'a settled']);
  t.match((results[1] as PromiseRejectedResult).reason, { message: 'over the cap' });
  t.same(
    db.prepare<[], { name: string }>('SELECT name FROM item ORDER BY name').all().map((r) => r.name),
    ['a', 'c'],
  );
});

t.test('a batch that cannot commit rejects every operation and writes nothing', async (t) => {
  const file = join(t.testdir(), 'gc.db');
  const db = openDb(file, 50);
  const other = openDb(file);
  t.teardown(() => {
    db.close();
    other.close();
  });
  const commits = new SqliteGroupCommit(db);
  const insert = db.prepare<[string]>('INSERT INTO item (name) VALUES (?)');
  other.exec('BEGIN IMMEDIATE'); // another process holds the write lock past our busy timeout
  const told: boolean[] = [];
  const results = await Promise.allSettled([commits.run(() => insert.run('x'), (c) => told.push(c)), commits.run(() => insert.run('y'), (c) => told.push(c))]);
  other.exec('ROLLBACK');
  t.same(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  t.same(told, [false, false], 'each operation learns its writes are not in the file');
  t.match((results[0] as PromiseRejectedResult).reason, { code: 'SQLITE_BUSY' });
  t.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM item').get()?.n, 0);
  await commits.run(() => insert.run('z'));
  t.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM item').get()?.n, 1, 'the next batch commits normally');
});

t.test('operations queued behind share a commit within the window, and an operation run now takes them along', async (t) => {
  const file = join(t.testdir(), 'behind.db');
  const db = openDb(file);
  const observer = openDb(file);
  t.teardown(() => {
    db.close();
    observer.close();
  });
  const commits = new SqliteGroupCommit(db, { windowMs: 200 });
  const insert = db.prepare<[string]>('INSERT INTO item (name) VALUES (?)');
  const version = (): number => observer.pragma('data_version', { simple: true }) as number;
  const rows = (): number => (observer.prepare('SELECT count(*) AS n FROM item').get() as { n: number }).n;

  // A trickle: one operation per tick for five ticks, then nothing.
  const before = version();
  const trickle: Promise<unknown>[] = [];
  for (let i = 0; i < 5; i++) {
    trickle.push(commits.runBehind(() => insert.run(`behind-${i}`)));
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 50));
  t.equal(rows(), 0, 'still waiting for company after five ticks');
  const started = Date.now();
  await Promise.all(trickle);
  t.ok(Date.now() - started < 400, 'committed when the window ended');
  t.equal(rows(), 5);
  t.equal(version() - before, 1, 'five operations, one commit');

  const queued = commits.runBehind(() => insert.run('behind-late'));
  await commits.run(() => insert.run('now'));
  t.equal(rows(), 7, 'an operation run now committed the queued one with it, without waiting for the window');
  await queued;
});

t.test('hurry commits what waits behind in the next tick', async (t) => {
  const file = join(t.testdir(), 'hurry.db');
  const db = openDb(file);
  t.teardown(() => db.close());
  const commits = new SqliteGroupCommit(db, { windowMs: 60_000 });
  const insert = db.prepare<[string]>('INSERT INTO item (name) VALUES (?)');
  let committed = false;
  const waiting = commits.runBehind(() => insert.run('late')).then(() => (committed = true));
  await new Promise((r) => setImmediate(r));
  t.equal(committed, false, 'behind: waits for its window');
  commits.hurry();
  await new Promise((r) => setImmediate(r));
  await waiting;
  t.equal(committed, true, 'hurried: committed in the next tick, long before the window ends');
});
