import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { microToUsd } from './cost.js';
import { systemClock, utcMonth, type Clock } from './month.js';
import { OpenReservations } from './open-reservations.js';
import { SpendBatch } from './spend-batch.js';
import { SPEND_SCHEMA } from './spend-schema.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { newSpendId } from './spend-id.js';
import { enableWal } from '../sqlite/enable-wal.js';
import {
  reachedThresholds,
  type BudgetAlert,
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
 * Expired reservations are looked for at most this often. One that expired (its request hung)
 * then holds its amount up to this much longer, which can only refuse, never overspend; `read`
 * always looks.
 */
const EXPIRE_INTERVAL_MS = 250;
/**
 * How long a charge without a reservation may wait to share a commit. It bounds what a crash
 * can lose of such charges (spend of tenants without a budget, which their audit records keep).
 */
const WRITE_BEHIND_MS = 10;
/** How many reservation-less charge ids are remembered at most (about 2 MB). */
const RECENT_CHARGES_MAX = 16_384;
/** How many tenant-months keep their committed spend in memory (reloaded when needed again). */
const MONTHS_MAX = 10_000;


/** A tenant's month as this process knows it: spend in the file, thresholds already raised. */
interface MonthState {
  committed: number;
  readonly raised: Set<number>;
}

/** The batch new charges join until its commit starts. */
interface OpenBatch {
  readonly batch: SpendBatch;
  readonly committed: Promise<void>;
  behind: boolean;
}

/** Ledger files open in this process: a second ledger on one file would not see the first's reservations. */
const openFiles = new Set<string>();

/**
 * The embedded spend ledger: month-to-date spend in one SQLite file (WAL), so it survives
 * restarts; open reservations in this process's memory. One process owns the file: it lives in
 * `<audit.dir>/state/`, and the audit spool's lock already gives each `audit.dir` to one
 * process. So a reserve compares the file's spend plus the charges on their way to it plus the
 * open reservations against the cap without a transaction, exactly. Charges are summed per
 * batch and written in one group commit; a budgeted settle returns once its charge is in the
 * file, a charge without a reservation is written behind.
 */
export class SqliteSpendLedger implements SpendLedger {
  /** Charges without a reservation are committed within {@link WRITE_BEHIND_MS}; reads and close commit them first. */
  readonly writesChargesBehind = true;
  readonly #file: string;
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #stmt;
  readonly #commits: SqliteGroupCommit;
  readonly #reservations = new OpenReservations();
  /** `tenant \n month` → what the file holds, loaded when first needed. */
  readonly #months = new Map<string, MonthState>();
  /** Batches not yet committed (the open one and the one being committed). */
  readonly #batches = new Set<SpendBatch>();
  #open: OpenBatch | undefined;
  #expiredAt = Number.NEGATIVE_INFINITY;
  /**
   * Charges settled here lately, `tenant \n id` → when the memory of it ends, oldest first. A
   * settle commits whole or fails whole, and only a failed one is retried (by this process's
   * retry queue), so a second settle of the same id can only come from a caller that settles
   * twice; remembering recent ids recognises that without a row per charge.
   */
  readonly #recentCharges = new Map<string, number>();

  constructor(options: { file: string; clock?: Clock }) {
    this.#file = options.file === ':memory:' ? options.file : resolve(options.file);
    if (openFiles.has(this.#file)) throw new Error(`the spend ledger ${this.#file} is already open in this process`);
    if (this.#file !== ':memory:') mkdirSync(dirname(this.#file), { recursive: true });
    this.#db = new Database(this.#file);
    if (this.#file !== ':memory:') {
      enableWal(this.#db);
    }
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SPEND_SCHEMA);
    this.#clock = options.clock ?? systemClock;
    this.#commits = new SqliteGroupCommit(this.#db, { windowMs: WRITE_BEHIND_MS });
    const db = this.#db;
    this.#stmt = {
      month: db.prepare<[string, string], { spent: number }>('SELECT spent FROM spend_month WHERE tenant = ? AND month = ?'),
      raised: db.prepare<[string, string], { threshold: number }>('SELECT threshold FROM spend_alert WHERE tenant = ? AND month = ?'),
      // Positional parameters: binding an object by name costs more.
      addMonth: db.prepare<[string, string, number, number]>(
        'INSERT INTO spend_month (tenant, month, spent, reserved) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, month) DO UPDATE SET spent = spent + excluded.spent',
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
      raiseAlert: db.prepare<[string, string, number, number]>('INSERT OR IGNORE INTO spend_alert (tenant, month, threshold, raised_at) VALUES (?, ?, ?, ?)'),
      users: db.prepare<[string, string], { user: string; spent: number }>('SELECT user, spent FROM spend_user WHERE tenant = ? AND month = ?'),
      assistants: db.prepare<[string, string], { assistant: string; spent: number }>('SELECT assistant, spent FROM spend_assistant WHERE tenant = ? AND month = ?'),
      tiers: db.prepare<[string, string], { tier: string; spent: number }>('SELECT tier, spent FROM spend_tier WHERE tenant = ? AND month = ?'),
    };
    // Claimed once open: a constructor that threw leaves the file free for another attempt.
    if (this.#file !== ':memory:') openFiles.add(this.#file);
  }

  currentMonth(): string {
    return utcMonth(this.#clock());
  }

  async reserve(scope: TenantScope, request: ReserveRequest): Promise<ReserveOutcome> {
    const tenant = assertTenantScope(scope).tenantId;
    this.#assertOpen();
    const now = this.#clock();
    const month = utcMonth(now);
    this.#expireEvery(now);
    const amount = request.amountMicroUsd;
    const spent = this.#spent(tenant, month);
    const reserved = this.#reservations.total(tenant, month).amountMicroUsd;
    if (spent + reserved + amount > request.capMicroUsd) return { ok: false, month, spentMicroUsd: spent, reservedMicroUsd: reserved };
    const reservation: Reservation = { id: newSpendId(), month, amountMicroUsd: amount };
    this.#reservations.hold(tenant, reservation.id, { month, amountMicroUsd: amount, expiresAt: now + request.ttlMs });
    return { ok: true, reservation, spentMicroUsd: spent, reservedMicroUsd: reserved };
  }

  async renew(scope: TenantScope, reservation: Reservation, ttlMs: number): Promise<boolean> {
    const tenant = assertTenantScope(scope).tenantId;
    this.#assertOpen();
    return this.#reservations.renew(tenant, reservation.id, this.#clock() + ttlMs);
  }

  async settle(scope: TenantScope, charge: ChargeRequest): Promise<ChargeOutcome> {
    const tenant = assertTenantScope(scope).tenantId;
    this.#assertOpen();
    const now = this.#clock();
    this.#expireEvery(now);
    const { month } = charge;
    const chargeKey = `${tenant}\n${charge.id}`;
    if (this.#recentCharges.has(chargeKey)) return { spentMicroUsd: this.#spent(tenant, month), alerts: [], duplicate: true };
    this.#rememberCharge(chargeKey, now);
    const held = this.#reservations.take(tenant, charge.id);
    const cost = Math.max(0, Math.round(charge.costMicroUsd));
    const spent = this.#spent(tenant, month) + cost;
    // A release (cost 0) only changes memory.
    if (cost === 0) return { spentMicroUsd: spent, alerts: [], duplicate: false };
    const open = this.#openBatch(charge.writeBehind === true);
    const { batch } = open;
    batch.add(tenant, month, { costMicroUsd: cost, user: charge.user, assistant: charge.assistant, tier: charge.tier });
    // Not committed: a retry of this charge must not look like a duplicate, and finds its reservation again.
    batch.onFailure(() => {
      this.#recentCharges.delete(chargeKey);
      if (held) this.#reservations.hold(tenant, charge.id, held);
    });
    const alerts: BudgetAlert[] = [];
    if (charge.capMicroUsd !== undefined && charge.alertThresholds) {
      const state = this.#month(tenant, month);
      for (const threshold of reachedThresholds(spent, charge.capMicroUsd, charge.alertThresholds)) {
        if (state.raised.has(threshold)) continue;
        state.raised.add(threshold);
        batch.raise(tenant, month, threshold);
        batch.onFailure(() => state.raised.delete(threshold));
        alerts.push({ threshold, spentUsd: microToUsd(spent), capUsd: microToUsd(charge.capMicroUsd), month });
      }
    }
    await open.committed;
    return { spentMicroUsd: spent, alerts, duplicate: false };
  }

  async read(scope: TenantScope, month?: string): Promise<MonthSpend> {
    const tenant = assertTenantScope(scope).tenantId;
    return this.#commits.run((): MonthSpend => {
      const now = this.#clock();
      const m = month ?? utcMonth(now);
      this.#expire(now);
      const held = this.#reservations.total(tenant, m);
      const byUser: Record<string, number> = {};
      for (const u of this.#stmt.users.all(tenant, m)) byUser[u.user] = u.spent;
      const byAssistant: Record<string, number> = {};
      for (const a of this.#stmt.assistants.all(tenant, m)) byAssistant[a.assistant] = a.spent;
      const byTier: Record<string, number> = {};
      for (const t of this.#stmt.tiers.all(tenant, m)) byTier[t.tier] = t.spent;
      const spentMicroUsd = this.#stmt.month.get(tenant, m)?.spent ?? 0;
      return { month: m, spentMicroUsd, reservedMicroUsd: held.amountMicroUsd, openReservations: held.count, byUser, byAssistant, byTier };
    });
  }

  async close(): Promise<void> {
    this.#commits.flush();
    if (this.#db.open) this.#db.close();
    openFiles.delete(this.#file);
  }

  #assertOpen(): void {
    if (!this.#db.open) throw new Error('the spend ledger is closed');
  }

  /** The month's spend: what the file holds plus the charges on their way to it. */
  #spent(tenant: string, month: string): number {
    let spent = this.#month(tenant, month).committed;
    for (const batch of this.#batches) spent += batch.spentOf(tenant, month);
    return spent;
  }

  #month(tenant: string, month: string): MonthState {
    const key = `${tenant}\n${month}`;
    let state = this.#months.get(key);
    if (state) return state;
    const raised = new Set(this.#stmt.raised.all(tenant, month).map((row) => row.threshold));
    // Thresholds claimed by charges still on their way count as raised too.
    for (const batch of this.#batches) for (const threshold of batch.alertsOf(tenant, month)) raised.add(threshold);
    state = { committed: this.#stmt.month.get(tenant, month)?.spent ?? 0, raised };
    if (this.#months.size >= MONTHS_MAX) this.#months.delete(this.#months.keys().next().value as string);
    this.#months.set(key, state);
    return state;
  }

  /**
   * The batch a charge joins: the open one, else a new one queued for the next commit (or, for
   * a charge written behind, for the end of the write-behind window). A charge that waits
   * hurries a batch that was queued behind.
   */
  #openBatch(behind: boolean): OpenBatch {
    const current = this.#open;
    if (current) {
      if (!behind && current.behind) {
        current.behind = false;
        this.#commits.hurry();
      }
      return current;
    }
    const batch = new SpendBatch();
    this.#batches.add(batch);
    const write = (): void => {
      if (this.#open?.batch === batch) this.#open = undefined;
      batch.write(this.#stmt, this.#clock());
    };
    // Runs inside the flush, before any settle waiting on the batch resumes: memory follows the file at once.
    const afterCommit = (committed: boolean): void => {
      if (this.#open?.batch === batch) this.#open = undefined;
      this.#batches.delete(batch);
      if (!committed) return batch.failed();
      for (const delta of batch.months()) {
        const state = this.#months.get(`${delta.tenant}\n${delta.month}`);
        if (state) state.committed += delta.spentMicroUsd;
      }
    };
    const committed = behind ? this.#commits.runBehind(write, afterCommit) : this.#commits.run(write, afterCommit);
    const opened: OpenBatch = { batch, committed, behind };
    this.#open = opened;
    return opened;
  }

  /** Remembers a settled charge; forgets the oldest past their grace or over the cap. */
  #rememberCharge(key: string, now: number): void {
    this.#recentCharges.set(key, now + SETTLED_GRACE_MS);
    for (const [oldest, until] of this.#recentCharges) {
      if (this.#recentCharges.size <= RECENT_CHARGES_MAX && until > now) break;
      this.#recentCharges.delete(oldest);
    }
  }

  #expireEvery(now: number): void {
    if (now - this.#expiredAt >= 0 && now - this.#expiredAt < EXPIRE_INTERVAL_MS) return;
    this.#expire(now);
  }

  #expire(now: number): void {
    this.#expiredAt = now;
    this.#reservations.expire(now);
  }
}
