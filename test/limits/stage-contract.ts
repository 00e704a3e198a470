import t from 'tap';
import { pino } from 'pino';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { createLimitStage } from '../../proxy/pipeline/stages/limit.js';
import { createBudgetStage, type BudgetState } from '../../proxy/pipeline/stages/budget.js';
import { createSettleStage, type SettleState } from '../../proxy/pipeline/stages/settle.js';
import { usdToMicro } from '../../proxy/limits/cost.js';
import { configSource, makeConfig, makeContext } from './stage-fixtures.js';
import type { Backend } from './store-contract.js';

const silent = pino({ level: 'silent' });
type Path = 'ok' | 'upstream_error' | 'timeout' | 'disconnect';

function pickPath(i: number): Path {
  const r = i % 10;
  return r === 0 ? 'upstream_error' : r === 1 ? 'timeout' : r === 2 ? 'disconnect' : 'ok';
}

/** Pipeline-level contract: limit → budget → (simulated forward outcome) → settle, on a real store pair. */
export function stageContract(backend: Backend): void {
  t.test(`${backend.name}: 2,000 requests with errors, timeouts and disconnects leak no reservation`, async (t) => {
    const ledger = await backend.ledger({});
    const store = await backend.rateLimits({});
    const config = makeConfig(`leak-${Math.random().toString(36).slice(2, 8)}`, {
      budget: { monthlyUsd: 1000 },
      rateLimits: { perUser: { requestsPerMinute: 100_000, tokensPerMinute: 100_000_000 } },
    });
    const { source, scope } = configSource(config);
    const limit = createLimitStage({ store, registry: source, logger: silent, failMode: 'closed' });
    const budget = createBudgetStage({ ledger, registry: source, pricing: config.pricing, logger: silent });
    const settle = createSettleStage({ ledger, rateLimits: store, pricing: config.pricing, logger: silent });
    t.teardown(() => settle.close());
    let chargedMicro = 0;
    const bases: Record<string, number> = {};
    let badPaths = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 2000) {
        const i = next++;
        const maxTokens = 50 + (i % 400);
        const ctx = makeContext({ scope, body: { model: 'fast', max_tokens: maxTokens, messages: [{ role: 'user', content: `request ${i}: summarise the plot of a novel` }] }, stream: true });
        await limit.run(ctx);
        await budget.run(ctx);
        const reserved = (ctx.reservation as BudgetState).reservation.amountMicroUsd;
        const path = pickPath(i);
        if (path === 'upstream_error') {
          ctx.upstream = { provider: 'openai', model: 'gpt-4o-mini', status: 503, latencyMs: 3, attempts: 2 };
          ctx.error = new GatewayError('upstream_error', 'provider failed');
        } else if (path === 'timeout') {
          ctx.error = new GatewayError('upstream_timeout', 'provider timed out');
        } else if (path === 'disconnect') {
          ctx.res.writeHead(200, { 'content-type': 'text/event-stream' });
          ctx.clientDisconnected = true;
        } else {
          ctx.res.writeHead(200, { 'content-type': 'text/event-stream' });
          ctx.upstream = { provider: 'openai', model: 'gpt-4o-mini', status: 200, latencyMs: 3, attempts: 1 };
          ctx.usage = { inputTokens: 20 + (i % 7), outputTokens: Math.floor(maxTokens * Math.random()) };
        }
        await settle.run(ctx);
        await ctx.settling;
        const s = ctx.settled as SettleState;
        bases[s.basis] = (bases[s.basis] ?? 0) + 1;
        const cost = usdToMicro(s.costUsd ?? NaN);
        chargedMicro += cost;
        const expected =
          path === 'ok' ? s.basis === 'usage' && !s.estimated && cost <= reserved
          : path === 'disconnect' ? s.basis === 'reservation' && s.estimated && cost === reserved && cost > 0
          : s.basis === 'released' && cost === 0;
        if (!expected) badPaths++;
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    t.equal(badPaths, 0, 'each path settled as documented (usage / full reservation, estimated / released)');
    t.same(bases, { usage: 1400, released: 400, reservation: 200 });
    const read = await ledger.read(scope);
    t.equal(read.spentMicroUsd, chargedMicro, 'ledger equals the sum of settled costs to the micro-dollar');
    t.equal(read.reservedMicroUsd, 0, 'nothing reserved');
    t.equal(read.openReservations, 0, 'no reservation left open');
    t.equal(settle.pendingRetries, 0);
  });

  t.test(`${backend.name}: settle corrects tokens/min with the real usage`, async (t) => {
    const ledger = await backend.ledger({});
    const store = await backend.rateLimits({});
    const config = makeConfig(`tok-${Math.random().toString(36).slice(2, 8)}`, { rateLimits: { perUser: { tokensPerMinute: 2000 } } });
    const { source, scope } = configSource(config);
    const limit = createLimitStage({ store, registry: source, logger: silent, failMode: 'closed' });
    const settle = createSettleStage({ ledger, rateLimits: store, pricing: config.pricing, logger: silent });
    const body = { model: 'fast', max_tokens: 900, messages: [{ role: 'user', content: 'hi' }] };
    const first = makeContext({ scope, body });
    await limit.run(first);
    const estimate = 2000 - Number(first.responseHeaders['x-ratelimit-remaining-tokens']);
    t.ok(estimate >= 900 && estimate < 920, `estimate = input + max_tokens (${estimate})`);
    const second = makeContext({ scope, body });
    await limit.run(second);
    await t.rejects(limit.run(makeContext({ scope, body })), { code: 'rate_limit_exceeded' }, 'third does not fit the estimates');
    first.upstream = { provider: 'openai', model: 'gpt-4o-mini', status: 200, latencyMs: 1, attempts: 1 };
    first.usage = { inputTokens: 10, outputTokens: 40 };
    await settle.run(first);
    await first.settling;
    const third = makeContext({ scope, body });
    await limit.run(third);
    t.equal(Number(third.responseHeaders['x-ratelimit-remaining-tokens']), 2000 - 50 - 2 * estimate, 'the first request now counts its real 50 tokens');
  });
}
