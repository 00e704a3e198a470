import t, { type Test } from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryRateLimitStore } from '../../proxy/limits/memory-rate-limit-store.js';
import { SqliteSpendLedger } from '../../proxy/limits/sqlite-spend-ledger.js';
import { utcMonth, type Clock } from '../../proxy/limits/month.js';
import { rateLimitContract, freshScope, type Backend } from './store-contract.js';
import { spendLedgerContract } from './ledger-contract.js';
import { stageContract } from './stage-contract.js';

const dir = t.testdir();
const closers: (() => Promise<void>)[] = [];
t.teardown(async () => {
  for (const close of closers) await close();
});

let latest: SqliteSpendLedger | undefined;
const backend: Backend = {
  name: 'embedded (memory + SQLite)',
  sharedAcrossInstances: false,
  async rateLimits(options: { windowMs?: number }) {
    const store = new MemoryRateLimitStore(options.windowMs === undefined ? {} : { windowMs: options.windowMs });
    closers.push(() => store.close());
    return store;
  },
  async ledger(options: { clock?: Clock; instance?: number }) {
    // One process owns a ledger file (the audit spool's lock gives it the data dir), so the
    // contract's second instance is the first one's ledger, and each test has a file of its own.
    if (options.instance === 1 && latest) return latest;
    const ledger = new SqliteSpendLedger({ file: join(dir, 'state', `spend-${closers.length}.db`), ...(options.clock ? { clock: options.clock } : {}) });
    closers.push(() => ledger.close());
    latest = ledger;
    return ledger;
  },
};

rateLimitContract(backend);
spendLedgerContract(backend);
stageContract(backend);

/** A ledger on a fresh file (or on `file`) for one test, closed with it, and a tenant with nothing spent. */
function openLedger(t: Test, file = join(t.testdir(), 'spend.db')): { file: string; ledger: SqliteSpendLedger; scope: ReturnType<typeof freshScope>; month: string } {
  const ledger = new SqliteSpendLedger({ file });
  t.teardown(() => ledger.close());
  return { file, ledger, scope: freshScope(), month: ledger.currentMonth() };
}

t.test('embedded: spend survives a restart; open reservations end with the process that held them', async (t) => {
  const file = join(t.testdir(), 'data', 'state', 'spend.db');
  const scope = freshScope();
  const first = new SqliteSpendLedger({ file });
  t.throws(() => new SqliteSpendLedger({ file }), /already open in this process/, 'one ledger owns a file');
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
  t.match(read, { reservedMicroUsd: 0, openReservations: 0 }, "the stopped process's reservation is released with it");
  const late = await second.settle(scope, { id: reservation.reservation.id, month: reservation.reservation.month, costMicroUsd: 1000 });
  t.equal(late.duplicate, false, 'a settle of it after the restart still charges');
  t.equal((await second.read(scope)).spentMicroUsd, 5321);
  const probe = new Database(file, { readonly: true });
  t.equal(probe.pragma('journal_mode', { simple: true }), 'wal', 'the file is in WAL mode');
  probe.close();
});

t.test('embedded: a file an older version wrote keeps its spend and drops the reservations it kept', async (t) => {
  const file = join(t.testdir(), 'spend.db');
  const scope = freshScope();
  const month = utcMonth(Date.now());
  const old = new Database(file);
  old.exec(`CREATE TABLE spend_month (tenant TEXT NOT NULL, month TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant, month)) WITHOUT ROWID;
    CREATE TABLE spend_reservation (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, month TEXT NOT NULL, amount INTEGER NOT NULL, expires_at INTEGER NOT NULL, settled INTEGER NOT NULL DEFAULT 0);`);
  old.prepare('INSERT INTO spend_month (tenant, month, spent, reserved) VALUES (?, ?, ?, ?)').run(scope.tenantId, month, 300, 700);
  old.prepare('INSERT INTO spend_reservation (id, tenant, month, amount, expires_at, settled) VALUES (?, ?, ?, ?, ?, 0)').run('old-1', scope.tenantId, month, 700, Date.now() + 60_000);
  old.close();
  const { ledger } = openLedger(t, file);
  t.match(await ledger.read(scope), { spentMicroUsd: 300, reservedMicroUsd: 0, openReservations: 0 });
  const granted = await ledger.reserve(scope, { amountMicroUsd: 700, capMicroUsd: 1000, ttlMs: 60_000 });
  t.equal(granted.ok, true, 'the old reservation no longer holds budget');
  const probe = new Database(file, { readonly: true });
  t.teardown(() => probe.close());
  t.same(probe.prepare("SELECT name FROM sqlite_master WHERE name = 'spend_reservation'").all(), [], 'its table is gone');
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

t.test('embedded: settling a charge twice charges it once', async (t) => {
  const { ledger, scope, month } = openLedger(t);
  for (let i = 0; i < 20; i++) await ledger.settle(scope, { id: `charge-${i}`, month, costMicroUsd: 100, user: 'bob', tier: 'fast' });
  const again = await ledger.settle(scope, { id: 'charge-7', month, costMicroUsd: 100, user: 'bob', tier: 'fast' });
  t.equal(again.duplicate, true, 'the repeated id is recognised');
  const read = await ledger.read(scope);
  t.equal(read.spentMicroUsd, 2000, 'and not charged twice');
  t.same(read.byUser, { bob: 2000 });
  t.same(read.byTier, { fast: 2000 });
  const other = await ledger.settle(freshScope(), { id: 'charge-7', month, costMicroUsd: 100 });
  t.equal(other.duplicate, false, 'the same id of another tenant is its own charge');
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

t.test('embedded: a settle releases its reservation; a rolled-back one leaves it for the retry', async (t) => {
  const { ledger, scope, month } = openLedger(t);
  const tooBig = await ledger.reserve(freshScope(), { amountMicroUsd: 2_000_000, capMicroUsd: 1_000_000, ttlMs: 60_000 });
  t.same(tooBig, { ok: false, month, spentMicroUsd: 0, reservedMicroUsd: 0 }, "a month's first reservation over the cap is refused");

  const held = await ledger.reserve(scope, { amountMicroUsd: 500, capMicroUsd: 1_000_000, ttlMs: 60_000 });
  if (!held.ok) throw new Error('the reservation was refused');
  const unbindable = { id: held.reservation.id, month, costMicroUsd: 100, tier: {} as unknown as string };
  await t.rejects(ledger.settle(scope, unbindable));
  t.match(await ledger.read(scope), { spentMicroUsd: 0, reservedMicroUsd: 500, openReservations: 1 }, 'the rolled-back settle put its reservation back');
  const retried = await ledger.settle(scope, { id: held.reservation.id, month, costMicroUsd: 100, tier: 'fast' });
  t.equal(retried.duplicate, false);
  t.match(await ledger.read(scope), { spentMicroUsd: 100, reservedMicroUsd: 0, openReservations: 0 }, 'the retry charged the cost and released the amount');
  t.equal((await ledger.settle(scope, { id: held.reservation.id, month, costMicroUsd: 100 })).duplicate, true, 'settling it again is recognised');
  t.equal((await ledger.read(scope)).spentMicroUsd, 100, 'and nothing more is charged');
});

t.test('embedded: charges on their way to the file count against the cap, and a batch writes their sums once', async (t) => {
  const { file, ledger, scope, month } = openLedger(t);
  const cap = 10_000;
  const grants = await Promise.all(Array.from({ length: 8 }, () => ledger.reserve(scope, { amountMicroUsd: 1000, capMicroUsd: cap, ttlMs: 60_000 })));
  const probe = new Database(file, { readonly: true });
  t.teardown(() => probe.close());
  const version = (): number => probe.pragma('data_version', { simple: true }) as number;
  const before = version();
  const settles = grants.map((grant, i) => {
    if (!grant.ok) throw new Error('a reservation was refused');
    return ledger.settle(scope, { id: grant.reservation.id, month, costMicroUsd: 1000, user: i % 2 === 0 ? 'ann' : 'bob', tier: 'fast', capMicroUsd: cap, alertThresholds: [50] });
  });
  // Nothing is committed yet: the eight charges (8,000) leave room for two more reservations, not three.
  const refused = await ledger.reserve(scope, { amountMicroUsd: 2001, capMicroUsd: cap, ttlMs: 60_000 });
  t.match(refused, { ok: false, spentMicroUsd: 8000, reservedMicroUsd: 0 }, 'uncommitted charges are counted');
  const outcomes = await Promise.all(settles);
  t.equal(version() - before, 1, 'eight settles, one commit');
  t.same(outcomes.flatMap((o) => o.alerts.map((a) => a.threshold)), [50], 'the threshold is raised by one charge');
  const read = await ledger.read(scope);
  t.match(read, { spentMicroUsd: 8000, reservedMicroUsd: 0, openReservations: 0 });
  t.same(read.byUser, { ann: 4000, bob: 4000 });
  t.same(read.byTier, { fast: 8000 });
  t.equal((await ledger.reserve(scope, { amountMicroUsd: 2000, capMicroUsd: cap, ttlMs: 60_000 })).ok, true, 'and the rest of the cap is still there');
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
