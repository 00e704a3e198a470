import type { Logger } from 'pino';
import type { FinalStage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { RateLimitStore } from '../../limits/rate-limit-store.js';
import type { ChargeOutcome, ChargeRequest, SpendLedger } from '../../limits/spend-ledger.js';
import { newSpendId } from '../../limits/spend-id.js';
import type { TenantConfigSource } from '../../limits/tenant-config-source.js';
import { costMicroUsd, microToUsd, priceOf, type ModelPrice, type PricingTable } from '../../limits/cost.js';
import { SettleRetryQueue } from '../../limits/settle-retry.js';
import { estimateInputTokens, outputTokenBound } from '../request-size.js';
import type { BudgetHold as BudgetState, SettleResult as SettleState } from '../stage-results.js';

export type { SettleResult as SettleState } from '../stage-results.js';

export interface SettleStageDeps {
  readonly ledger: SpendLedger;
  readonly rateLimits: RateLimitStore;
  readonly pricing: PricingTable;
  readonly logger: Logger;
  /** Not needed: everything settle uses was recorded by limit and budget. Accepted so wiring may pass it. */
  readonly registry?: TenantConfigSource;
}

/** The settled cost of a request (for audit's `costUsd`), once settle ran. */
export function readSettled(ctx: RequestContext): SettleState | undefined {
  return ctx.settled;
}

export interface SettleStage extends FinalStage {
  /** Settles waiting for the ledger to come back. */
  readonly pendingRetries: number;
  /** Drops pending retries (gateway shutdown). */
  close(): void;
  run(ctx: RequestContext): Promise<void>;
}

const noop = (): void => undefined;

interface Decision {
  readonly basis: SettleState['basis'];
  readonly costMicroUsd: number | undefined;
  readonly estimated: boolean;
  /** Tokens to record against tokens/min; undefined keeps the admission estimate. */
  readonly tokens: number | undefined;
}

/**
 * Final stage `settle` (runs after success, errors and client disconnects; never throws):
 * prices the real usage, settles or releases the budget reservation (charging spend without
 * one for tenants with no budget), and corrects the tokens/min estimate with the real count.
 * It returns once the cost is decided (`ctx.settled`); the writes go on in `ctx.settling`.
 */
export function createSettleStage(deps: SettleStageDeps): SettleStage {
  const retries = new SettleRetryQueue(deps.ledger, deps.logger);
  return {
    name: 'settle',
    get pendingRetries() {
      return retries.pending;
    },
    close: () => retries.close(),
    async run(ctx: RequestContext) {
      try {
        await settle(ctx, deps, retries);
      } catch (err) {
        deps.logger.error({ err, requestId: ctx.requestId }, 'settle failed');
      }
    },
  };
}

async function settle(ctx: RequestContext, deps: SettleStageDeps, retries: SettleRetryQueue): Promise<void> {
  const principal = ctx.peekPrincipal();
  // Settling twice would charge a reservation-less request twice.
  if (!principal || ctx.settled !== undefined) return;
  const budget = ctx.reservation;
  const limit = ctx.admission;
  budget?.stopRenewal();
  const decision = decide(ctx, deps, budget);
  ctx.settled = {
    costUsd: decision.costMicroUsd === undefined ? undefined : microToUsd(decision.costMicroUsd),
    estimated: decision.estimated,
    basis: decision.basis,
  };

  const work: Promise<void>[] = [];
  const scope = principal.scope;
  // The tier the client asked for (its `model`), or `provider/model` for a direct model: spend per tier.
  const tier = ctx.peekRequest()?.target.name;
  const charge: ChargeRequest | undefined = budget
    ? {
        id: budget.reservation.id,
        month: budget.reservation.month,
        costMicroUsd: decision.costMicroUsd ?? budget.reservation.amountMicroUsd,
        user: principal.user,
        ...(ctx.assistant === undefined ? {} : { assistant: ctx.assistant }),
        ...(tier === undefined ? {} : { tier }),
        capMicroUsd: budget.capMicroUsd,
        alertThresholds: budget.alertThresholds,
      }
    : decision.costMicroUsd !== undefined && decision.costMicroUsd > 0
      ? {
          id: newSpendId(),
          month: deps.ledger.currentMonth(),
          costMicroUsd: decision.costMicroUsd,
          user: principal.user,
          ...(ctx.assistant === undefined ? {} : { assistant: ctx.assistant }),
          ...(tier === undefined ? {} : { tier }),
          ...(deps.ledger.writesChargesBehind ? { writeBehind: true } : {}),
        }
      : undefined;
  if (charge) {
    const onSettled = (outcome: ChargeOutcome): void => {
      if (outcome.alerts.length > 0) budget?.raiseAlerts(outcome.alerts);
    };
    const settled = deps.ledger.settle(scope, charge).then(onSettled, (err: unknown) => {
      deps.logger.warn({ err: { message: (err as Error).message }, requestId: ctx.requestId, tenant: scope.tenantId }, 'spend settle failed; retrying in the background');
      retries.enqueue(scope, charge, onSettled);
    });
    // A charge the ledger writes behind (no budget, SQLite) is not waited for: the answer goes
    // out while it waits for company in the next commit.
    if (!charge.writeBehind) work.push(settled);
  }
  if (limit?.handle && decision.tokens !== undefined && decision.tokens !== limit.handle.tokens) {
    work.push(
      deps.rateLimits.correctTokens(scope, limit.handle, decision.tokens).catch((err: unknown) => {
        // Best effort: the admission estimate stays in the window, which errs towards counting.
        deps.logger.debug({ err: { message: (err as Error).message }, requestId: ctx.requestId }, 'tokens/min correction failed');
      }),
    );
  }
  // The answer waits for this (the runner); audit need not, so the spend commit and the
  // record's spool commit run at the same time. Each piece already handles its own failure.
  if (work.length > 0) ctx.settling = Promise.all(work).then(noop, noop);
}

function decide(ctx: RequestContext, deps: SettleStageDeps, budget: BudgetState | undefined): Decision {
  const usage = ctx.usage;
  const price = settlePrice(ctx, deps.pricing, budget);
  if (usage && !usage.estimated) {
    return { basis: 'usage', costMicroUsd: price && costMicroUsd(usage.inputTokens, usage.outputTokens, price), estimated: false, tokens: usage.inputTokens + usage.outputTokens };
  }
  // Did the provider produce anything? Then it billed something, and without real usage the
  // whole reservation is charged (marked estimated) rather than $0.
  // A stream that started, or a successful upstream answer, means yes; an upstream error status
  // or a failure before the first byte (timeout, disconnect while waiting) means no.
  const producedOutput =
    ctx.res.headersSent || (ctx.pendingResponse !== undefined && ctx.pendingResponse.status < 400) || (ctx.upstream !== undefined && ctx.upstream.status < 400);
  if (usage) {
    const fromUsage = price && costMicroUsd(usage.inputTokens, usage.outputTokens, price);
    const cost = budget ? Math.max(budget.reservation.amountMicroUsd, fromUsage ?? 0) : fromUsage;
    return { basis: budget ? 'reservation' : 'usage', costMicroUsd: cost, estimated: true, tokens: usage.inputTokens + usage.outputTokens };
  }
  if (producedOutput) {
    if (budget) return { basis: 'reservation', costMicroUsd: budget.reservation.amountMicroUsd, estimated: true, tokens: undefined };
    const estimate = price && costMicroUsd(estimateInputTokens(ctx), outputTokenBound(ctx, undefined), price);
    return { basis: 'reservation', costMicroUsd: estimate, estimated: true, tokens: undefined };
  }
  return { basis: 'released', costMicroUsd: 0, estimated: false, tokens: 0 };
}

/** The answering model's price; else (a dated or unpriced name) the reservation's worst-case price, else the tier model's. */
function settlePrice(ctx: RequestContext, pricing: PricingTable, budget: BudgetState | undefined): ModelPrice | undefined {
  const answered = ctx.upstream?.model;
  const exact = answered === undefined ? undefined : priceOf(pricing, answered);
  if (exact) return exact;
  if (budget) return budget.worstCasePrice;
  const target = ctx.peekRequest()?.target.model;
  return target === undefined ? undefined : priceOf(pricing, target);
}
