import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { microToUsd } from './cost.js';
import { systemClock, utcMonth, type Clock } from './month.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { newSpendId } from './spend-id.js';
import { enableWal } from '../sqlite/enable-wal.js';
import {
  reachedThresholds,
  type ChargeOutcome,
  type ChargeRequest,
  type MonthSpend,
  type Reservation,
  type ReserveOutcome,
  type ReserveRequest,
  type SpendLedger,
} from './spend-ledger.js';

/** How long a settled id is remembered, so a retried settle is not charged twice. */
const SETTLED_GRACE_MS = 5 * 60_000;
/**
 * Reserve and settle look for expired reservations at most this often per tenant. An expired
 * reservation (its request crashed or hung) then holds its amount up to this much longer,
 * which can only refuse, never overspend; `read` always purges.
 */
const PURGE_INTERVAL_MS = 250;
/**
 * How long a charge without a reservation may wait to share a commit. It bounds what a crash
 * can lose of such charges (spend of tenants without a budget, which their audit records keep).
 */
const WRITE_BEHIND_MS = 10;
/** How many reservation-less charge ids are remembered at most (about 2 MB). */
const RECENT_CHARGES_MAX = 16_384;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spend_month (
  tenant TEXT NOT NULL, month TEXT NOT NULL,
  spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_user (
  tenant TEXT NOT NULL, month TEXT NOT NULL, user TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month, user)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_assistant (
  tenant TEXT NOT NULL, month TEXT NOT NULL, assistant TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month, assistant)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_tier (
  tenant TEXT NOT NULL, month TEXT NOT NULL, tier TEXT NOT NULL, spent INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, month, tier)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spend_reservation (
  id TEXT PRIMARY KEY, tenant TEXT NOT NULL, month TEXT NOT NULL,
  amount INTEGER NOT NULL, expires_at INTEGER NOT NULL, settled INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS spend_reservation_expiry ON spend_reservation (tenant, expires_at);
CREATE TABLE IF NOT EXISTS spend_alert (
  tenant TEXT NOT NULL, month TEXT NOT NULL, threshold REAL NOT NULL, raised_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, month, threshold)) WITHOUT ROWID;
`;

interface MonthRow {
  spent: number;
  reserved: number;
}
interface ReservationRow {
  id: string;
  month: string;
  amount: number;
  settled: number;
}

/**
 * The embedded spend ledger: one SQLite file (WAL) so spend survives restarts. Every operation
 * runs inside an IMMEDIATE transaction, so check-and-reserve is atomic in this process and also
 * across processes that share the file; operations of concurrent requests share one transaction
 * (group commit). Reservations expire like the Redis ones.
 */
export class SqliteSpendLedger implements SpendLedger {
  /** Charges without a reservation are committed within {@link WRITE_BEHIND_MS}; reads and close commit them first. */
  readonly writesChargesBehind = true;
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #stmt;
  readonly #commits: SqliteGroupCommit;
  /** When each tenant's expired reservations were last looked for. */
  readonly #purgedAt = new Map<string, number>();
  /**
   * Charges settled here lately, `tenant \n id` → when the memory of it ends, oldest first. No
   * row marks a settled charge: a settle deletes its reservation, and a charge without one
   * (priced requests of tenants without a budget) never had a row. A settle here commits whole
   * or fails whole, only a failed one is retried (by this process's retry queue), and a
   * reservation is always settled by the process that made it, so a second settle of the same
   * id can only come from a caller that settles twice. Remembering recent ids still recognises
   * that, without writing, updating and later purging a row (and its two index entries) for
   * every request.
   */
  readonly #recentCharges = new Map<string, number>();

  constructor(options: { file: string; clock?: Clock }) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.#db = new Database(options.file);
    if (options.file !== ':memory:') enableWal(this.#db);
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#clock = options.clock ?? systemClock;
    this.#commits = new SqliteGroupCommit(this.#db, { windowMs: WRITE_BEHIND_MS });
    const db = this.#db;
    this.#stmt = {
      expired: db.prepare<[string, number], ReservationRow>('SELECT id, month, amount, settled FROM spend_reservation WHERE tenant = ? AND expires_at <= ?'),
      deleteReservation: db.prepare<[string]>('DELETE FROM spend_reservation WHERE id = ?'),
      month: db.prepare<[string, string], MonthRow>('SELECT spent, reserved FROM spend_month WHERE tenant = ? AND month = ?'),
      // Positional parameters: binding an object by name costs more, on every request.
      addMonth: db.prepare<[string, string, number, number], { spent: number }>(
        'INSERT INTO spend_month (tenant, month, spent, reserved) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (tenant, month) DO UPDATE SET spent = spent + excluded.spent, reserved = reserved + excluded.reserved RETURNING spent',
      ),
      addUser: db.prepare<[string, string, string, number]>(
        'INSERT INTO spend_user (tenant, month, user, spent) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, month, user) DO UPDATE SET spent = spent + excluded.spent',
      ),
      addAssistant: db.prepare<[string, string, string, number]>(
        'INSERT INTO spend_assistant (tenant, month, assistant, spent) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, month, assistant) DO UPDATE SET spent = spent + excluded.spent',
      ),
      addTier: db.prepare<[string, string, string, number]>(
        'INSERT INTO spend_tier (tenant, month, tier, spent) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, month, tier) DO UPDATE SET spent = spent + excluded.spent',
      ),
      insertReservation: db.prepare<[string, string, string, number, number, number]>(
        'INSERT INTO spend_reservation (id, tenant, month, amount, expires_at, settled) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      // Check and reserve in one statement: no row comes back when the month has no row yet or the cap would be passed.
      reserveIfRoom: db.prepare<[number, string, string, number, number], MonthRow>(
        'UPDATE spend_month SET reserved = reserved + ? WHERE tenant = ? AND month = ? AND spent + reserved + ? <= ? RETURNING spent, reserved',
      ),
      // A settle takes its reservation away. A row with settled = 1 is a marker an older version left (see #purge).
      takeReservation: db.prepare<[string, string], Omit<ReservationRow, 'id'>>('DELETE FROM spend_reservation WHERE id = ? AND tenant = ? RETURNING month, amount, settled'),
      renew: db.prepare<[number, string, string]>('UPDATE spend_reservation SET expires_at = ? WHERE id = ? AND tenant = ? AND settled = 0'),
      raiseAlert: db.prepare<[string, string, number, number]>('INSERT OR IGNORE INTO spend_alert (tenant, month, threshold, raised_at) VALUES (?, ?, ?, ?)'),
      users: db.prepare<[string, string], { user: string; spent: number }>('SELECT user, spent FROM spend_user WHERE tenant = ? AND month = ?'),
      assistants: db.prepare<[string, string], { assistant: string; spent: number }>('SELECT assistant, spent FROM spend_assistant WHERE tenant = ? AND month = ?'),
      tiers: db.prepare<[string, string], { tier: string; spent: number }>('SELECT tier, spent FROM spend_tier WHERE tenant = ? AND month = ?'),
      open: db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM spend_reservation WHERE tenant = ? AND month = ? AND settled = 0'),
    };
  }

  currentMonth(): string {
    return utcMonth(this.#clock());
  }

  async reserve(scope: TenantScope, request: ReserveRequest): Promise<ReserveOutcome> {
    const tenant = assertTenantScope(scope).tenantId;
    return this.#commits.run((): ReserveOutcome => {
      const now = this.#clock();
      const month = utcMonth(now);
      this.#purgeEvery(tenant, now);
      const amount = request.amountMicroUsd;
      const after = this.#stmt.reserveIfRoom.get(amount, tenant, month, amount, request.capMicroUsd);
      let before: MonthRow;
      if (after) {
        before = { spent: after.spent, reserved: after.reserved - amount };
      } else {
        // Either the cap would be passed, or this is the tenant's first reservation of the month.
        const row = this.#stmt.month.get(tenant, month);
        if (row || amount > request.capMicroUsd) {
          return { ok: false, month, spentMicroUsd: row?.spent ?? 0, reservedMicroUsd: row?.reserved ?? 0 };
        }
        this.#stmt.addMonth.run(tenant, month, 0, amount);
        before = { spent: 0, reserved: 0 };
      }
      const reservation: Reservation = { id: newSpendId(), month, amountMicroUsd: amount };
      this.#stmt.insertReservation.run(reservation.id, tenant, month, amount, now + request.ttlMs, 0);
      return { ok: true, reservation, spentMicroUsd: before.spent, reservedMicroUsd: before.reserved };
    });
  }

  async renew(scope: TenantScope, reservation: Reservation, ttlMs: number): Promise<boolean> {
    const tenant = assertTenantScope(scope).tenantId;
    return this.#commits.run(() => this.#stmt.renew.run(this.#clock() + ttlMs, reservation.id, tenant).changes === 1);
  }

  async settle(scope: TenantScope, charge: ChargeRequest): Promise<ChargeOutcome> {
    const tenant = assertTenantScope(scope).tenantId;
    let remembered: string | undefined;
    try {
      return await this.#settleInTransaction(tenant, charge, (key) => (remembered = key));
    } catch (err) {
      // Rolled back: a retry of this charge must not look like a duplicate.
      if (remembered !== undefined) this.#recentCharges.delete(remembered);
      throw err;
    }
  }

  #settleInTransaction(tenant: string, charge: ChargeRequest, onRemembered: (key: string) => void): Promise<ChargeOutcome> {
    const operation = (): ChargeOutcome => {
      const now = this.#clock();
      this.#purgeEvery(tenant, now);
      const chargeKey = `${tenant}\n${charge.id}`;
      if (this.#recentCharges.has(chargeKey)) return this.#duplicate(tenant, charge.month);
      const existing = this.#stmt.takeReservation.get(charge.id, tenant);
      // Set now, so a second settle in the same transaction sees it; dropped again (by settle)
      // if this one is rolled back, which also puts a taken reservation row back.
      this.#rememberCharge(chargeKey, now);
      onRemembered(chargeKey);
      if (existing?.settled === 1) return this.#duplicate(tenant, charge.month);
      // The reservation's amount is released in the same upsert that adds the cost when both
      // fall in the same month (nearly always); a settle across a month boundary takes two.
      let released = 0;
      if (existing) {
        if (existing.month === charge.month) released = existing.amount;
        else this.#stmt.addMonth.run(tenant, existing.month, 0, -existing.amount);
      }
      const cost = Math.max(0, Math.round(charge.costMicroUsd));
      const spent = (this.#stmt.addMonth.get(tenant, charge.month, cost, -released) as { spent: number }).spent;
      if (charge.user !== undefined && cost > 0) this.#stmt.addUser.run(tenant, charge.month, charge.user, cost);
      if (charge.assistant !== undefined && cost > 0) this.#stmt.addAssistant.run(tenant, charge.month, charge.assistant, cost);
      if (charge.tier !== undefined && cost > 0) this.#stmt.addTier.run(tenant, charge.month, charge.tier, cost);
      const alerts = [];
      if (cost > 0 && charge.capMicroUsd !== undefined && charge.alertThresholds) {
        for (const threshold of reachedThresholds(spent, charge.capMicroUsd, charge.alertThresholds)) {
          if (this.#stmt.raiseAlert.run(tenant, charge.month, threshold, now).changes === 1) {
            alerts.push({ threshold, spentUsd: microToUsd(spent), capUsd: microToUsd(charge.capMicroUsd), month: charge.month });
          }
        }
      }
      return { spentMicroUsd: spent, alerts, duplicate: false };
    };
    return charge.writeBehind ? this.#commits.runBehind(operation) : this.#commits.run(operation);
  }

  async read(scope: TenantScope, month?: string): Promise<MonthSpend> {
    const tenant = assertTenantScope(scope).tenantId;
    return this.#commits.run((): MonthSpend => {
      const now = this.#clock();
      const m = month ?? utcMonth(now);
      this.#purge(tenant, now);
      const row = this.#stmt.month.get(tenant, m) ?? { spent: 0, reserved: 0 };
      const byUser: Record<string, number> = {};
      for (const u of this.#stmt.users.all(tenant, m)) byUser[u.user] = u.spent;
      const byAssistant: Record<string, number> = {};
      for (const a of this.#stmt.assistants.all(tenant, m)) byAssistant[a.assistant] = a.spent;
      const byTier: Record<string, number> = {};
      for (const t of this.#stmt.tiers.all(tenant, m)) byTier[t.tier] = t.spent;
      return { month: m, spentMicroUsd: row.spent, reservedMicroUsd: row.reserved, openReservations: this.#stmt.open.get(tenant, m)?.n ?? 0, byUser, byAssistant, byTier };
    });
  }

  async close(): Promise<void> {
    this.#commits.flush();
    if (this.#db.open) this.#db.close();
  }

  /** A settle of a charge already settled: nothing is written, the month's spend is reported. */
  #duplicate(tenant: string, month: string): ChargeOutcome {
    return { spentMicroUsd: this.#stmt.month.get(tenant, month)?.spent ?? 0, alerts: [], duplicate: true };
  }

  /** Remembers a settled charge; forgets the oldest past their grace or over the cap. */
  #rememberCharge(key: string, now: number): void {
    this.#recentCharges.set(key, now + SETTLED_GRACE_MS);
    for (const [oldest, until] of this.#recentCharges) {
      if (this.#recentCharges.size <= RECENT_CHARGES_MAX && until > now) break;
      this.#recentCharges.delete(oldest);
    }
  }

  /** {@link #purge}, unless this tenant was purged less than {@link PURGE_INTERVAL_MS} ago. */
  #purgeEvery(tenant: string, now: number): void {
    const last = this.#purgedAt.get(tenant);
    if (last !== undefined && now - last >= 0 && now - last < PURGE_INTERVAL_MS) return;
    this.#purge(tenant, now);
  }

  /** Drops expired reservations (releasing their amount) and the settled markers older versions wrote. */
  #purge(tenant: string, now: number): void {
    this.#purgedAt.set(tenant, now);
    for (const row of this.#stmt.expired.all(tenant, now)) {
      if (row.settled === 0) this.#stmt.addMonth.run(tenant, row.month, 0, -row.amount);
      this.#stmt.deleteReservation.run(row.id);
    }
  }
}
