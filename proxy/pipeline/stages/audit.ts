import type { Logger } from 'pino';
import type { FinalStage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { toGatewayError } from '../../errors/gateway-error.js';
import { costUsd, priceOf, type PricingTable } from '../../limits/cost.js';
import { requestFacts } from '../audit-facts.js';

/**
 * The last final stage: one audit record per model request — allowed, denied, failed or
 * disconnected — appended before the runner writes the answer (or a stream's terminal frame),
 * except with `audit.durability: async` while the spool works, when the answer goes first.
 *
 * Behaviour when the record cannot be kept (`audit_unavailable`, only with
 * `audit.onSpoolFailure: reject`): `ctx.error` becomes that error and the stage rethrows, so the
 * runner answers 503 if nothing was sent yet, or ends a started stream with an in-stream error
 * event instead of its terminal frame — the client never sees a complete answer that has no
 * record. With `onSpoolFailure: serve` the log only logs the failure and this stage returns.
 */
export function createAuditStage(deps: { audit: AuditLog; logger: Logger; pricing?: PricingTable }): FinalStage {
  const { audit, logger, pricing } = deps;

  /**
   * What the tenant is charged: settle's figure when it ran (the ledger's own, including a
   * charged reservation after a disconnect); else the usage priced by the same function.
   */
  function costOf(ctx: RequestContext): number | undefined {
    const settled = ctx.settled;
    if (settled) return settled.costUsd;
    const model = ctx.upstream?.model ?? ctx.peekRequest()?.target.model;
    if (!pricing || !ctx.usage || !model) return undefined;
    const price = priceOf(pricing, model);
    return price ? costUsd(ctx.usage.inputTokens, ctx.usage.outputTokens, price) : undefined;
  }

  return {
    name: 'audit',
    // With async durability the record is written in the background anyway: the answer need not wait for it to be built.
    answersFirst: () => audit.answersBeforeRecord(),
    async run(ctx) {
      try {
        const cost = costOf(ctx);
        await audit.recordRequest(requestFacts(ctx), cost === undefined ? {} : { costUsd: cost });
      } catch (thrown) {
        const err = toGatewayError(thrown);
        if (err.code === 'audit_unavailable') {
          ctx.error = err;
        } else {
          logger.error({ err: thrown, requestId: ctx.requestId }, 'audit record could not be built');
        }
        throw err;
      }
    },
  };
}
