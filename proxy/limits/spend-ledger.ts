import type { TenantScope } from '../identity/tenant-scope.js';

/**
 * Month-to-date spend per tenant, in whole micro-dollars (integers: sums are exact), with
 * reservations. A request reserves its worst-case cost before it is forwarded: the reservation
 * is granted only if `spent + outstanding reservations + worst case ≤ cap`, checked and recorded
 * in one atomic step, so concurrent requests can never jointly pass the cap. Settling replaces
 * the reservation with the real cost (0 to release it). A reservation also expires on its own
 * (`ttlMs`, renewable), so one held by a crashed instance is released.
 *
 * Months are UTC calendar months (`YYYY-MM`). A request is charged to the month in which it was
 * admitted, even if it settles after midnight on the 1st.
 */

export interface Reservation {
  readonly id: string;
  readonly month: string;
  readonly amountMicroUsd: number;
}

export interface ReserveRequest {
  readonly amountMicroUsd: number;
  readonly capMicroUsd: number;
  readonly ttlMs: number;
}

/** `spent`/`reserved` are the month's totals seen by the decision, before this request. */
export type ReserveOutcome =
  | { readonly ok: true; readonly reservation: Reservation; readonly spentMicroUsd: number; readonly reservedMicroUsd: number }
  | { readonly ok: false; readonly month: string; readonly spentMicroUsd: number; readonly reservedMicroUsd: number };

export interface ChargeRequest {
  /** The reservation's id, or a fresh id for a charge that had no reservation. */
  readonly id: string;
  readonly month: string;
  /** Real cost; 0 releases the reservation without charging. */
  readonly costMicroUsd: number;
  readonly user?: string;
  /** The automation acting for the user (`x-workjet-assistant`), for spend per assistant. */
  readonly assistant?: string;
  /** The tier the request asked for (the client's `model`; `provider/model` for a direct model), for spend per tier. */
  readonly tier?: string;
  /** With thresholds (percent): raise each one the month's spend reaches, once per month. */
  readonly capMicroUsd?: number;
  readonly alertThresholds?: readonly number[];
  /**
   * A charge without a reservation that the caller does not wait for (see
   * {@link SpendLedger.writesChargesBehind}): the ledger may commit it up to one write-behind
   * window later, together with others.
   */
  readonly writeBehind?: boolean;
}

export interface BudgetAlert {
  readonly threshold: number;
  readonly spentUsd: number;
  readonly capUsd: number;
  readonly month: string;
}

export interface ChargeOutcome {
  readonly spentMicroUsd: number;
  /** Thresholds this charge crossed first (each is reported by exactly one charge per month). */
  readonly alerts: readonly BudgetAlert[];
  /** True when this id was already settled (a retried settle): nothing was charged again. */
  readonly duplicate: boolean;
}

export interface MonthSpend {
  readonly month: string;
  readonly spentMicroUsd: number;
  readonly reservedMicroUsd: number;
  readonly openReservations: number;
  readonly byUser: Readonly<Record<string, number>>;
  /** Spend of requests sent with `x-workjet-assistant`, per assistant name. */
  readonly byAssistant: Readonly<Record<string, number>>;
  /** Spend per tier the requests asked for (`provider/model` for direct models). */
  readonly byTier: Readonly<Record<string, number>>;
}

export interface SpendLedger {
  /** The current UTC month as the ledger's clock sees it. */
  currentMonth(): string;
  reserve(scope: TenantScope, request: ReserveRequest): Promise<ReserveOutcome>;
  /** Pushes an open reservation's expiry to `ttlMs` from now; false if it is no longer open. */
  renew(scope: TenantScope, reservation: Reservation, ttlMs: number): Promise<boolean>;
  /** Settles (or releases, with cost 0) a reservation, or records a charge without one. Idempotent per id. */
  settle(scope: TenantScope, charge: ChargeRequest): Promise<ChargeOutcome>;
  /**
   * True when charges without a reservation (`writeBehind`) are committed in windows, so an
   * answer need not wait for them: reads and `close` commit them first. A crash loses at most
   * the last window of them (spend of tenants without a budget; their audit records keep it).
   */
  readonly writesChargesBehind: boolean;
  read(scope: TenantScope, month?: string): Promise<MonthSpend>;
  close(): Promise<void>;
}

/** Reservations expire after this unless renewed (the budget stage renews long requests). */
export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;

/** Thresholds that `spent` reached, as integers compared exactly: spent × 100 ≥ cap × threshold. */
export function reachedThresholds(spentMicroUsd: number, capMicroUsd: number, thresholds: readonly number[]): number[] {
  if (spentMicroUsd <= 0 || capMicroUsd <= 0) return [];
  return thresholds.filter((th) => spentMicroUsd * 100 >= capMicroUsd * th);
}
