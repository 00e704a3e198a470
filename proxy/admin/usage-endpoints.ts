import type { SpendLedger } from '../limits/spend-ledger.js';
import { microToUsd } from '../limits/cost.js';
import type { AdminEndpoint } from './admin-endpoint.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function monthParam(query: URLSearchParams, ledger: SpendLedger): string | undefined {
  const month = query.get('month') ?? ledger.currentMonth();
  return MONTH.test(month) ? month : undefined;
}

/** Month-to-date spend of the caller's tenant (per user for usage, against the cap for budget). */
export function usageEndpoints(ledger: SpendLedger): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/usage',
      action: 'usage.read',
      resourceType: 'usage',
      async handle(call) {
        const month = monthParam(call.query, ledger);
        if (!month) return { status: 400, body: { error: { message: "'month' must be YYYY-MM.", type: 'invalid_request_error', code: 'invalid_request', param: 'month' } } };
        const spend = await ledger.read(call.tenant.scope, month);
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
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/v1/budget',
      action: 'budget.read',
      resourceType: 'budget',
      async handle(call) {
        const spend = await ledger.read(call.tenant.scope);
        const budget = call.tenant.config.budget;
        return {
          status: 200,
          body: {
            tenant: call.tenant.config.id,
            source: 'config',
            month: spend.month,
            monthly_usd: budget?.monthlyUsd ?? null,
            alert_thresholds: budget?.alertThresholds ?? [],
            spent_usd: microToUsd(spend.spentMicroUsd),
            reserved_usd: microToUsd(spend.reservedMicroUsd),
          },
        };
      },
    },
  ];
}
