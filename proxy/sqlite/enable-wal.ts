import type Database from 'better-sqlite3';

/**
 * Switches a SQLite file to WAL, waiting out other processes that open it at the same moment.
 * The switch reads the file and then needs its exclusive lock; when two processes open a fresh
 * file together, each can hold the read lock the other must see released, and SQLite answers
 * one of them SQLITE_BUSY at once rather than calling the busy handler (waiting could deadlock).
 * So the switch is retried with short pauses, up to `timeoutMs`. It runs once, at open.
 */
export function enableWal(database: Database.Database, timeoutMs = 5000): void {
  const deadline = Date.now() + timeoutMs;
  for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      // A synchronous pause: the open that calls this is synchronous too (better-sqlite3).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    }
  }
}
