import t from 'tap';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { enableWal } from '../../proxy/sqlite/enable-wal.js';

// Another connection (as another process would) holds the file's exclusive lock for a while.
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.exec('BEGIN EXCLUSIVE');
parentPort.postMessage('locked');
setTimeout(() => { db.exec('COMMIT'); db.close(); parentPort.postMessage('released'); }, workerData.holdMs);
`;

async function holdLock(file: string, holdMs: number): Promise<Worker> {
  const worker = new Worker(HOLDER, { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file, holdMs } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return worker;
}

t.test('enableWal waits out another connection holding the lock, where one attempt fails at once', async (t) => {
  const file = join(t.testdir(), 'wal.db');
  new Database(file).exec('CREATE TABLE item (name TEXT)');
  // No busy handler: SQLite answers SQLITE_BUSY at once, as it does in the two-openers race.
  const db = new Database(file, { timeout: 0 });
  t.teardown(() => db.close());

  const first = await holdLock(file, 150);
  t.throws(() => db.pragma('journal_mode = WAL'), { code: 'SQLITE_BUSY' }, 'a single attempt is refused while the lock is held');
  const started = Date.now();
  enableWal(db);
  t.ok(Date.now() - started >= 50, 'it waited for the holder');
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  await first.terminate();
});

t.test('enableWal gives up with the SQLite error after its timeout', async (t) => {
  const file = join(t.testdir(), 'wal.db');
  new Database(file).exec('CREATE TABLE item (name TEXT)');
  const db = new Database(file, { timeout: 0 });
  t.teardown(() => db.close());
  const holder = await holdLock(file, 2_000);
  t.throws(() => enableWal(db, 100), { code: 'SQLITE_BUSY' });
  await holder.terminate();
});
