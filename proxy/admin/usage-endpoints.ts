import type { SpendLedger } from '../limits/spend-ledger.js';
import { microToUsd } from '../limits/cost.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AdminEndpoint } from './admin-endpoint.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function monthParam(query: URLSearchParams, ledger: SpendLedger): string {
  const month = query.get('month') ?? ledger.currentMonth();
  // A fixed linear pattern on at most 7 characters.
  if (month.length !== 7 || !MONTH.test(month)) throw new GatewayError('invalid_request', "'month' must be YYYY-MM.", { param: 'month' });
  return month;
}

/** Month-to-date spend of the caller's tenant, per user, per assistant and per tier (the ledger is the source). */
export function usageEndpoints(ledger: SpendLedger): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/usage',
      action: 'usage.read',
      resourceType: 'usage',
      summary: 'Month-to-date spend of the tenant, per user, per assistant (`x-workjet-assistant`) and per tier (`provider/model` for direct models).',
      queryParams: ['month'],
      answerStatus: 200,
      async handle(call) {
        const spend = await ledger.read(call.tenant.scope, monthParam(call.query, ledger));
        return {
          status: 200,
          body: {
            tenant: call.tenant.config.id,
            month: spend.month,
            source: 'ledger',
            spent_usd: microToUsd(spend.spentMicroUsd),
            reserved_usd: microToUsd(spend.reservedMicroUsd),
            open_reservations: spend.openReservations,
            by_user: Object.fromEntries(Object.entries(spend.byUser).map(([user, micro]) => [user, microToUsd(micro)])),
            by_assistant: Object.fromEntries(Object.entries(spend.byAssistant).map(([assistant, micro]) => [assistant, microToUsd(micro)])),
            by_tier: Object.fromEntries(Object.entries(spend.byTier).map(([tier, micro]) => [tier, microToUsd(micro)])),
          },
        };
      },
    },
  ];
}
