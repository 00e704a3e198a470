import type { Logger } from 'pino';
import type { TenantScope } from '../identity/tenant-scope.js';
import type { ChargeOutcome, ChargeRequest, SpendLedger } from './spend-ledger.js';

/** Backoff between attempts; the total (~3.5 min) stays under the ledgers' 5 min settled-id memory. */
const DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000, 60_000, 90_000];
const MAX_PENDING = 10_000;

/**
 * Settles that failed because the ledger was unreachable are retried in the background, so a
 * Redis blip does not lose spend. Settles are idempotent per id, so a retry of one whose reply
 * was lost charges nothing twice. Timers are unref'd: they never keep the process alive.
 */
export class SettleRetryQueue {
  readonly #ledger: SpendLedger;
  readonly #logger: Logger;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(ledger: SpendLedger, logger: Logger) {
    this.#ledger = ledger;
    this.#logger = logger;
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Schedules `charge` for another attempt (attempt 0 has already failed); `onSettled` gets the outcome. */
  enqueue(scope: TenantScope, charge: ChargeRequest, onSettled: (outcome: ChargeOutcome) => void, attempt = 0): void {
    const delay = DELAYS_MS[attempt];
    if (delay === undefined || this.#timers.size >= MAX_PENDING) {
      this.#logger.error({ tenant: scope.tenantId, chargeId: charge.id, costMicroUsd: charge.costMicroUsd, attempts: attempt + 1 }, 'spend settle abandoned: ledger unavailable');
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#ledger.settle(scope, charge).then(
        (outcome) => onSettled(outcome),
        () => this.enqueue(scope, charge, onSettled, attempt + 1),
      );
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Drops pending retries (at shutdown), logging how many charges they carried. */
  close(): void {
    if (this.#timers.size > 0) this.#logger.error({ pending: this.#timers.size }, 'spend settles still pending at shutdown');
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
