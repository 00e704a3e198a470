import { randomBytes } from 'node:crypto';
import type { TenantScope } from '../identity/tenant-scope.js';
import { microToUsd } from './cost.js';
import { utcMonth, type Clock } from './month.js';
import { LuaScripts, type RedisClient } from './redis-connection.js';
import { spendKeys } from './redis-keys.js';
import { READ_LUA, RENEW_LUA, RESERVE_LUA, SETTLE_LUA } from './spend-ledger-lua.js';
import type { BudgetAlert, ChargeOutcome, ChargeRequest, MonthSpend, ReserveOutcome, ReserveRequest, Reservation, SpendLedger } from './spend-ledger.js';

/** Month hashes are kept ~13 months after their last write, for usage history. */
const RETENTION_MS = 400 * 24 * 3600_000;
/** How long a settled id is remembered (longer than the settle retry horizon). */
const SETTLED_GRACE_MS = 5 * 60_000;
const CLOCK_SYNC_MS = 30_000;

/**
 * The spend ledger in Redis, shared by every instance (see spend-ledger.ts, spend-ledger-lua.ts).
 * Reservation expiry uses the Redis server's TIME inside the scripts. The month a request
 * belongs to is chosen before the script runs (it names the keys, which a Cluster-safe script
 * must receive in KEYS): it comes from an injected clock, or else from this host's clock
 * corrected by the offset to Redis TIME, re-measured every 30 s — so month boundaries follow
 * the Redis server's clock, not a skewed host's.
 */
export class RedisSpendLedger implements SpendLedger {
  /** Every charge is one atomic script call: callers wait for it. */
  readonly writesChargesBehind = false;
  readonly #client: RedisClient;
  readonly #scripts: LuaScripts<'wjSpendReserve' | 'wjSpendRenew' | 'wjSpendSettle' | 'wjSpendRead'>;
  readonly #clock: Clock;
  readonly #sync: NodeJS.Timeout | undefined;
  readonly #onReady: (() => void) | undefined;
  #offsetMs = 0;

  constructor(client: RedisClient, options: { clock?: Clock } = {}) {
    this.#client = client;
    this.#scripts = new LuaScripts(client, { wjSpendReserve: RESERVE_LUA, wjSpendRenew: RENEW_LUA, wjSpendSettle: SETTLE_LUA, wjSpendRead: READ_LUA });
    if (options.clock) {
      this.#clock = options.clock;
    } else {
      this.#clock = () => Date.now() + this.#offsetMs;
      const sync = (): void => void this.#syncClock();
      this.#onReady = sync;
      client.on('ready', sync);
      if (client.status === 'ready') sync();
      this.#sync = setInterval(sync, CLOCK_SYNC_MS);
      this.#sync.unref();
    }
  }

  currentMonth(): string {
    return utcMonth(this.#clock());
  }

  async reserve(scope: TenantScope, request: ReserveRequest): Promise<ReserveOutcome> {
    const month = this.currentMonth();
    const k = spendKeys(scope, month);
    const id = randomBytes(12).toString('base64url');
    const amount = Math.max(0, Math.ceil(request.amountMicroUsd));
    const reply = (await this.#scripts.run('wjSpendReserve', [k.month, k.reservations, k.amounts], [id, amount, Math.floor(request.capMicroUsd), Math.ceil(request.ttlMs), RETENTION_MS])) as number[];
    const spentMicroUsd = reply[1] as number;
    const reservedMicroUsd = reply[2] as number;
    if (reply[0] !== 1) return { ok: false, month, spentMicroUsd, reservedMicroUsd };
    const reservation: Reservation = { id, month, amountMicroUsd: amount };
    return { ok: true, reservation, spentMicroUsd, reservedMicroUsd };
  }

  async renew(scope: TenantScope, reservation: Reservation, ttlMs: number): Promise<boolean> {
    const k = spendKeys(scope, reservation.month);
    const reply = await this.#scripts.run('wjSpendRenew', [k.month, k.reservations, k.amounts], [reservation.id, Math.ceil(ttlMs), RETENTION_MS]);
    return reply === 1;
  }

  async settle(scope: TenantScope, charge: ChargeRequest): Promise<ChargeOutcome> {
    const k = spendKeys(scope, charge.month);
    const cost = Math.max(0, Math.round(charge.costMicroUsd));
    const cap = charge.capMicroUsd ?? 0;
    const args: (string | number)[] = [charge.id, cost, charge.user ?? '', cap, SETTLED_GRACE_MS, RETENTION_MS, charge.assistant ?? '', charge.tier ?? '', ...(charge.alertThresholds ?? [])];
    const reply = (await this.#scripts.run('wjSpendSettle', [k.month, k.reservations, k.amounts], args)) as (number | string)[];
    const spentMicroUsd = Number(reply[1]);
    const alerts: BudgetAlert[] = reply.slice(2).map((th) => ({ threshold: Number(th), spentUsd: microToUsd(spentMicroUsd), capUsd: microToUsd(cap), month: charge.month }));
    return { spentMicroUsd, alerts, duplicate: reply[0] === 2 };
  }

  async read(scope: TenantScope, month?: string): Promise<MonthSpend> {
    const m = month ?? this.currentMonth();
    const k = spendKeys(scope, m);
    const reply = (await this.#scripts.run('wjSpendRead', [k.month, k.reservations, k.amounts], [])) as [string[], number];
    const fields = reply[0];
    let spent = 0;
    let reserved = 0;
    const byUser: Record<string, number> = {};
    const byAssistant: Record<string, number> = {};
    const byTier: Record<string, number> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i] as string;
      const value = Number(fields[i + 1]);
      if (name === 'spent') spent = value;
      else if (name === 'reserved') reserved = value;
      else if (name.startsWith('u:')) byUser[name.slice(2)] = value;
      else if (name.startsWith('s:')) byAssistant[name.slice(2)] = value;
      else if (name.startsWith('t:')) byTier[name.slice(2)] = value;
    }
    return { month: m, spentMicroUsd: spent, reservedMicroUsd: reserved, openReservations: reply[1], byUser, byAssistant, byTier };
  }

  async close(): Promise<void> {
    if (this.#sync) clearInterval(this.#sync);
    if (this.#onReady) this.#client.off('ready', this.#onReady);
  }

  async #syncClock(): Promise<void> {
    try {
      const before = Date.now();
      const [sec, usec] = await this.#client.time();
      const after = Date.now();
      this.#offsetMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - Math.round((before + after) / 2);
    } catch {
      // Keep the last offset; the next sync (or reconnect) measures again.
    }
  }
}
