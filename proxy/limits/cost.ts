import type { GatewayConfig, TenantConfig } from '../config/schema.js';

/** USD per 1M input / output tokens, as in `config.pricing[model]`. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

export type PricingTable = GatewayConfig['pricing'];

const MICRO = 1_000_000;

/** Whole micro-dollars to USD (the unit audit records and alerts use). */
export function microToUsd(micro: number): number {
  return micro / MICRO;
}

/** USD to whole micro-dollars (caps are configured in USD; the ledger counts integers). */
export function usdToMicro(usd: number): number {
  return Math.round(usd * MICRO);
}

/**
 * Cost of a token count in whole micro-dollars. A price per 1M tokens in USD is exactly a price
 * per token in micro-dollars, so `tokens × price` is already in µUSD; it is rounded up (with a
 * tolerance for float noise) so that the ledger, which stores integers, never undercharges.
 * Ledger sums and audit `costUsd` use this one function, so they agree to the micro-dollar.
 */
export function costMicroUsd(inputTokens: number, outputTokens: number, price: ModelPrice): number {
  const raw = inputTokens * price.input + outputTokens * price.output;
  return Math.max(0, Math.ceil(raw - 1e-7));
}

/** The same cost in USD, for audit's `costUsd`. */
export function costUsd(inputTokens: number, outputTokens: number, price: ModelPrice): number {
  return microToUsd(costMicroUsd(inputTokens, outputTokens, price));
}

/** The configured price of a model, if any. */
export function priceOf(pricing: PricingTable, model: string): ModelPrice | undefined {
  return Object.hasOwn(pricing, model) ? pricing[model] : undefined;
}

/**
 * The highest input and output price among the models a tier may end up calling (the model
 * itself and its fallbacks, followed through fallback tiers): the reservation must cover a
 * fallback to a dearer model. `undefined` when one of them has no price.
 */
export function worstCasePrice(pricing: PricingTable, tenant: TenantConfig, target: { kind: string; name: string; model: string }): ModelPrice | undefined {
  const models = new Set<string>([target.model]);
  if (target.kind === 'tier') collectTierModels(tenant, target.name, models, new Set());
  let input = 0;
  let output = 0;
  for (const model of models) {
    const price = priceOf(pricing, model);
    if (!price) return undefined;
    input = Math.max(input, price.input);
    output = Math.max(output, price.output);
  }
  return { input, output };
}

function collectTierModels(tenant: TenantConfig, tierName: string, into: Set<string>, seen: Set<string>): void {
  if (seen.has(tierName)) return;
  seen.add(tierName);
  const tier = Object.hasOwn(tenant.tiers, tierName) ? tenant.tiers[tierName] : undefined;
  if (!tier) return;
  into.add(tier.model);
  for (const fallback of tier.fallbacks) {
    if (typeof fallback === 'string') collectTierModels(tenant, fallback, into, seen);
    else into.add(fallback.model);
  }
}
