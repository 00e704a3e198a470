import type { ProviderEndpoint } from '../providers/provider-adapter.js';
import type { AdmissionHandle } from '../limits/rate-limit-store.js';
import type { BudgetAlert, Reservation } from '../limits/spend-ledger.js';
import type { ModelPrice } from '../limits/cost.js';

/**
 * What one stage leaves for a later one, as typed fields of the request context (each written
 * by exactly one stage). They live here, not in the stage files, so a reader (settle, audit,
 * forward) depends on the shape of the result, never on the stage that produced it.
 */

/** One upstream attempt: a provider of the caller's tenant (with that tenant's key) and its model. Written by route. */
export interface RouteAttempt {
  /** Tier name, or `provider/model` for a direct model or an inline fallback. */
  readonly label: string;
  readonly provider: ProviderEndpoint;
  readonly model: string;
}

/** The ordered attempts forward tries: the resolved target first, then the tier's fallbacks. Written by route. */
export interface RoutePlan {
  readonly attempts: readonly RouteAttempt[];
}

/** What settle needs to correct the tokens/min estimate with the real usage. Written by limit. */
export interface LimitAdmission {
  readonly handle: AdmissionHandle | undefined;
  readonly estimatedTokens: number;
}

/** The budget reservation settle settles or releases. Written by budget. */
export interface BudgetHold {
  readonly reservation: Reservation;
  readonly capMicroUsd: number;
  readonly alertThresholds: readonly number[];
  /** The highest prices among the models the tier may call: used when the answering model has no price of its own. */
  readonly worstCasePrice: ModelPrice;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Stops renewing the reservation (settle calls it first). */
  readonly stopRenewal: () => void;
  /** Logs and reports the thresholds this request's settle crossed. */
  readonly raiseAlerts: (alerts: readonly BudgetAlert[]) => void;
}

/**
 * What settle decided (read by audit for `costUsd`):
 * - `usage`: real usage priced (`estimated` false, or true when forward only had an estimate);
 * - `reservation`: no usage although the provider produced output (client disconnect mid-stream,
 *   mid-stream error): the full reservation is charged, `estimated` true — never $0;
 * - `released`: nothing reached the client (refused by a stage, upstream error or timeout before
 *   any output): cost 0, the reservation is released.
 * `costUsd` is undefined only when the model has no price (tenants without a budget).
 */
export interface SettleResult {
  readonly costUsd: number | undefined;
  readonly estimated: boolean;
  readonly basis: 'usage' | 'reservation' | 'released';
}
