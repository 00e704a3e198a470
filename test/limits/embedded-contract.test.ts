import t, { type Test } from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryRateLimitStore } from '../../proxy/limits/memory-rate-limit-store.js';
import { SqliteSpendLedger } from '../../proxy/limits/sqlite-spend-ledger.js';
import type { Clock } from '../../proxy/limits/month.js';
import { rateLimitContract, freshScope, type Backend } from './store-contract.js';
import { spendLedgerContract } from './ledger-contract.js';
import { stageContract } from './stage-contract.js';

const dir = t.testdir();
const dbFile = join(dir, 'state', 'spend.db');
const closers: (() => Promise<void>)[] = [];
t.teardown(async () => {
  for (const close of closers) await close();
});

const backend: Backend = {
  name: 'embedded (memory + SQLite)',
  sharedAcrossInstances: false,
  async rateLimits(options: { windowMs?: number }) {
    const store = new MemoryRateLimitStore(options.windowMs === undefined ? {} : { windowMs: options.windowMs });
    closers.push(() => store.close());
    return store;
  },
  async ledger(options: { clock?: Clock }) {
    // Every ledger opens the same file, as two processes sharing a data dir would.
    const ledger = new SqliteSpendLedger({ file: dbFile, ...(options.clock ? { clock: options.clock } : {}) });
    closers.push(() => ledger.close());
    return ledger;
  },
};

rateLimitContract(backend);
spendLedgerContract(backend);
stageContract(backend);

/** A fresh ledger file for one test, closed with it, and a tenant with nothing spent. */
function openLedger(t: Test): { file: string; ledger: SqliteSpendLedger; scope: ReturnType<typeof freshScope>; month: string } {
  const file = join(t.testdir(), 'spend.db');
  const ledger = new SqliteSpendLedger({ file });
  t.teardown(() => ledger.close());
  return { file, ledger, scope: freshScope(), month: ledger.currentMonth() };
}

/** Reservation rows in a ledger file, read through a connection of its own. */
function reservationRows(file: string): number {
  const probe = new Database(file, { readonly: true });
  const n = (probe.prepare('SELECT count(*) AS n FROM spend_reservation').get() as { n: number }).n;
  probe.close();
  return n;
}

t.test('embedded: spend and open reservations survive a restart (SQLite file)', async (t) => {
  const file = join(t.testdir(), 'data', 'state', 'spend.db');
  const scope = freshScope();
  const first = new SqliteSpendLedger({ file });
  const reservation = await first.reserve(scope, { amountMicroUsd: 5000, capMicroUsd: 1_000_000, ttlMs: 60_000 });
  const charged = await first.reserve(scope, { amountMicroUsd: 5000, capMicroUsd: 1_000_000, ttlMs: 60_000 });
  if (!reservation.ok || !charged.ok) return t.fail('reserve');
  await first.settle(scope, { id: charged.reservation.id, month: charged.reservation.month, costMicroUsd: 4321, user: 'bob' });
  await first.close();
  const second = new SqliteSpendLedger({ file });
  t.teardown(() => second.close());
  const read = await second.read(scope);
  t.equal(read.spentMicroUsd, 4321, 'spend is still there');
  t.same(read.byUser, { bob: 4321 });
  t.equal(read.reservedMicroUsd, 5000, 'an open reservation still holds budget until it expires or settles');
  await second.settle(scope, { id: reservation.reservation.id, month: reservation.reservation.month, costMicroUsd: 1000 });
  t.equal((await second.read(scope)).spentMicroUsd, 5321, 'and settles after the restart');
  const probe = new Database(file, { readonly: true });
  t.equal(probe.pragma('journal_mode', { simple: true }), 'wal', 'the file is in WAL mode');
  probe.close();
});

t.test('embedded: the memory store forgets idle subjects', async (t) => {
  const store = new MemoryRateLimitStore({ windowMs: 100 });
  t.teardown(() => store.close());
  const scope = freshScope();
  const rules = [{ subject: { kind: 'user' as const, id: 'alice' }, requests: 1, tokens: 10 }];
  t.equal((await store.admit(scope, { rules, tokens: 5 })).allowed, true);
  t.equal((await store.admit(scope, { rules, tokens: 5 })).allowed, false);
  await new Promise((r) => setTimeout(r, 350));
  const after = await store.admit(scope, { rules, tokens: 5 });
  t.equal(after.allowed, true);
  t.equal(after.tokens?.remaining, 5);
});

t.test('embedded: a charge without a reservation writes no reservation row, and settling it twice charges once', async (t) => {
  const { file, ledger, scope, month } = openLedger(t);
  for (let i = 0; i < 20; i++) await ledger.settle(scope, { id: `charge-${i}`, month, costMicroUsd: 100, user: 'bob', tier: 'fast' });
  const again = await ledger.settle(scope, { id: 'charge-7', month, costMicroUsd: 100, user: 'bob', tier: 'fast' });
  t.equal(again.duplicate, true, 'the repeated id is recognised');
  const read = await ledger.read(scope);
  t.equal(read.spentMicroUsd, 2000, 'and not charged twice');
  t.same(read.byUser, { bob: 2000 });
  t.same(read.byTier, { fast: 2000 });
  const other = await ledger.settle(freshScope(), { id: 'charge-7', month, costMicroUsd: 100 });
  t.equal(other.duplicate, false, 'the same id of another tenant is its own charge');
  t.equal(reservationRows(file), 0, 'no row per charge');
});

t.test('embedded: a charge whose settle was rolled back is charged when it is retried', async (t) => {
  const { ledger, scope, month } = openLedger(t);
  // SQLite cannot bind an object: the statement throws after the charge was counted, so its
  // savepoint is rolled back, as a failed commit would roll back the whole batch.
  const unbindable = { id: 'retried', month, costMicroUsd: 100, tier: {} as unknown as string };
  await t.rejects(ledger.settle(scope, unbindable));
  t.equal((await ledger.read(scope)).spentMicroUsd, 0, 'nothing was charged');
  const retried = await ledger.settle(scope, { id: 'retried', month, costMicroUsd: 100, tier: 'fast' });
  t.equal(retried.duplicate, false, 'the retry is not taken for a duplicate');
  t.equal((await ledger.read(scope)).spentMicroUsd, 100);
});

t.test('embedded: a settle takes its reservation away; a rolled-back one leaves it for the retry; an old marker row still counts', async (t) => {
  const { file, ledger, scope, month } = openLedger(t);
  const tooBig = await ledger.reserve(freshScope(), { amountMicroUsd: 2_000_000, capMicroUsd: 1_000_000, ttlMs: 60_000 });
  t.same(tooBig, { ok: false, month, spentMicroUsd: 0, reservedMicroUsd: 0 }, "a month's first reservation over the cap is refused");

  const held = await ledger.reserve(scope, { amountMicroUsd: 500, capMicroUsd: 1_000_000, ttlMs: 60_000 });
  if (!held.ok) throw new Error('the reservation was refused');
  const unbindable = { id: held.reservation.id, month, costMicroUsd: 100, tier: {} as unknown as string };
  await t.rejects(ledger.settle(scope, unbindable));
  t.equal(reservationRows(file), 1, 'the rolled-back settle put its reservation back');
  t.match(await ledger.read(scope), { spentMicroUsd: 0, reservedMicroUsd: 500, openReservations: 1 });
  const retried = await ledger.settle(scope, { id: held.reservation.id, month, costMicroUsd: 100, tier: 'fast' });
  t.equal(retried.duplicate, false);
  t.match(await ledger.read(scope), { spentMicroUsd: 100, reservedMicroUsd: 0, openReservations: 0 }, 'the retry charged the cost and released the amount');
  t.equal(reservationRows(file), 0, 'a settled reservation leaves no row');
  t.equal((await ledger.settle(scope, { id: held.reservation.id, month, costMicroUsd: 100 })).duplicate, true, 'settling it again is recognised');

  const writer = new Database(file);
  writer.prepare('INSERT INTO spend_reservation (id, tenant, month, amount, expires_at, settled) VALUES (?, ?, ?, ?, ?, 1)').run('marker-1', scope.tenantId, month, 700, Date.now() + 60_000);
  writer.close();
  const marked = await ledger.settle(scope, { id: 'marker-1', month, costMicroUsd: 100 });
  t.equal(marked.duplicate, true, 'a settled marker an older version wrote is still a settled charge');
  t.equal((await ledger.read(scope)).spentMicroUsd, 100, 'and nothing more is charged');
});

t.test('embedded: charges written behind are read at once and survive a stop, and share commits', async (t) => {
  const file = join(t.testdir(), 'spend.db');
  const ledger = new SqliteSpendLedger({ file });
  t.equal(ledger.writesChargesBehind, true);
  const scope = freshScope();
  const month = ledger.currentMonth();
  const probe = new Database(file, { readonly: true });
  t.teardown(() => probe.close());
  const version = (): number => probe.pragma('data_version', { simple: true }) as number;
  const before = version();
  const charges = Array.from({ length: 8 }, (_, i) => ledger.settle(scope, { id: `behind-${i}`, month, costMicroUsd: 10, user: 'bob', writeBehind: true }));
  const read = await ledger.read(scope);
  t.equal(read.spentMicroUsd, 80, 'a read commits the charges queued before it');
  t.same(read.byUser, { bob: 80 });
  await Promise.all(charges);
  t.equal(version() - before, 1, 'eight charges and the read, one commit');
  void ledger.settle(scope, { id: 'behind-last', month, costMicroUsd: 5, writeBehind: true });
  await ledger.close();
  const reopened = new SqliteSpendLedger({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.read(scope)).spentMicroUsd, 85, 'close committed the one still waiting');
});
