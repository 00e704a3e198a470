import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import type { TenantScope } from '../../identity/tenant-scope.js';
import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { TenantConfigSource } from '../../limits/tenant-config-source.js';
import { DEFAULT_RESERVATION_TTL_MS, type BudgetAlert, type Reservation, type SpendLedger } from '../../limits/spend-ledger.js';
import { costMicroUsd, microToUsd, usdToMicro, worstCasePrice, type ModelPrice, type PricingTable } from '../../limits/cost.js';
import { enforceDefaultOutputCap, estimateInputTokens, outputTokenBound } from '../request-size.js';

/** What budget leaves for settle (`ctx.reservation`). */
export type { BudgetHold as BudgetState } from '../stage-results.js';

export interface BudgetStageDeps {
  readonly ledger: SpendLedger;
  readonly registry: TenantConfigSource;
  readonly pricing: PricingTable;
  readonly logger: Logger;
  /** A threshold was reached (once per threshold, tenant and month, across all instances). */
  readonly onAlert?: (scope: TenantScope, alert: BudgetAlert) => void;
  /** Reservation expiry if never settled (crashed instance); renewed while the request runs. */
  readonly reservationTtlMs?: number;
  /** Renewal stops after this long even if settle never ran (a bug must not hold budget forever). */
  readonly maxHoldMs?: number;
}

export interface BudgetStage extends Stage {
  run(ctx: RequestContext): Promise<void>;
}

/**
 * Stage `budget`: reserves the request's worst-case cost — input tokens (tokenizer count) plus
 * the output bound (`max_tokens`, or `budget.defaultMaxTokens`, which is then written into the
 * forwarded body) at the highest price among the tier's models — against the tenant's monthly
 * cap, atomically with the check. Refuses with 429 `budget_exceeded` when it would not fit, and
 * with 503 `dependency_unavailable` when the ledger cannot answer (budgets always fail closed).
 */
export function createBudgetStage(deps: BudgetStageDeps): BudgetStage {
  const ttlMs = deps.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const maxHoldMs = deps.maxHoldMs ?? 2 * 3600_000;
  return {
    name: 'budget',
    async run(ctx: RequestContext) {
      const request = ctx.peekRequest();
      if (!request) return;
      const scope = ctx.principal.scope;
      const tenant = deps.registry.get(scope).config;
      const budget = tenant.budget;
      if (!budget) return;
      const price = worstCasePrice(deps.pricing, tenant, request.target);
      if (!price) {
        throw new GatewayError('invalid_request', `The model '${request.model}' has no configured price, so the tenant's budget cannot be enforced for it.`, { param: 'model' });
      }
      enforceDefaultOutputCap(ctx, budget.defaultMaxTokens);
      const inputTokens = estimateInputTokens(ctx);
      const outputTokens = outputTokenBound(ctx, budget.defaultMaxTokens);
      const worstCase = costMicroUsd(inputTokens, outputTokens, price);
      const capMicroUsd = usdToMicro(budget.monthlyUsd);
      let outcome;
      try {
        outcome = await deps.ledger.reserve(scope, { amountMicroUsd: worstCase, capMicroUsd, ttlMs });
      } catch (err) {
        deps.logger.error({ err: { message: (err as Error).message }, requestId: ctx.requestId, tenant: scope.tenantId }, 'budget ledger unavailable: request refused');
        throw new GatewayError('dependency_unavailable', 'The budget ledger is unavailable, so the request was not forwarded. Retry shortly.', { cause: err });
      }
      if (!outcome.ok) {
        deps.logger.info(
          { requestId: ctx.requestId, tenant: scope.tenantId, month: outcome.month, worstCaseMicroUsd: worstCase, spentMicroUsd: outcome.spentMicroUsd, reservedMicroUsd: outcome.reservedMicroUsd, capMicroUsd },
          'budget would be exceeded: request refused',
        );
        throw new GatewayError(
          'budget_exceeded',
          `This request's worst-case cost ($${microToUsd(worstCase).toFixed(6)}) would exceed the monthly budget of $${budget.monthlyUsd}. Lower max_tokens, or ask an owner to raise the budget.`,
        );
      }
      const reservation = outcome.reservation;
      const stopRenewal = keepAlive(deps, scope, reservation, ttlMs, maxHoldMs);
      const raiseAlerts = (alerts: readonly BudgetAlert[]): void => {
        for (const alert of alerts) {
          deps.logger.warn({ tenant: scope.tenantId, ...alert }, 'budget alert threshold reached');
          try {
            deps.onAlert?.(scope, alert);
          } catch (err) {
            deps.logger.error({ err, tenant: scope.tenantId }, 'budget alert callback failed');
          }
        }
      };
      ctx.reservation = {
        reservation,
        capMicroUsd,
        alertThresholds: budget.alertThresholds,
        worstCasePrice: price,
        inputTokens,
        outputTokens,
        stopRenewal,
        raiseAlerts,
      };
    },
  };
}

/** Renews the reservation every ttl/3 while the request runs (long streams), up to `maxHoldMs`. */
function keepAlive(deps: BudgetStageDeps, scope: TenantScope, reservation: Reservation, ttlMs: number, maxHoldMs: number): () => void {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (Date.now() - started + ttlMs / 3 > maxHoldMs) return;
    timer = setTimeout(() => {
      deps.ledger.renew(scope, reservation, ttlMs).then(
        (open) => {
          if (open && timer) schedule();
        },
        () => {
          if (timer) schedule();
        },
      );
    }, ttlMs / 3);
    timer.unref();
  };
  schedule();
  return () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
}
