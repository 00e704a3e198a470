import t from 'tap';
import { join } from 'node:path';
import { pino } from 'pino';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { errorHeaders } from '../../proxy/errors/render.js';
import { createBudgetStage, type BudgetState } from '../../proxy/pipeline/stages/budget.js';
import { SqliteSpendLedger } from '../../proxy/limits/sqlite-spend-ledger.js';
import { costMicroUsd } from '../../proxy/limits/cost.js';
import { estimateInputTokens } from '../../proxy/pipeline/request-size.js';
import { configSource, makeConfig, makeContext } from './stage-fixtures.js';

const silent = pino({ level: 'silent' });

/** Each setup gets a ledger file of its own: one ledger owns a file. */
let ledgers = 0;

function setup(tenant: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const config = makeConfig('acme', tenant, extra);
  const { source, scope } = configSource(config);
  const ledger = new SqliteSpendLedger({ file: join(t.testdir(), `spend-${++ledgers}.db`) });
  t.teardown(() => ledger.close());
  const stage = createBudgetStage({ ledger, registry: source, pricing: config.pricing, logger: silent, reservationTtlMs: 60_000 });
  return { stage, scope, ledger, config };
}

t.test('no budget: nothing reserved, body untouched', async (t) => {
  const { stage, scope, ledger } = setup({});
  const ctx = makeContext({ scope });
  await stage.run(ctx);
  t.notOk(ctx.reservation);
  t.equal(ctx.forwardBody, undefined);
  t.equal((await ledger.read(scope)).openReservations, 0);
});

t.test('worst case = tokenizer input + output cap at the dearest model the tier may fall back to', async (t) => {
  const { stage, scope, ledger } = setup({ budget: { monthlyUsd: 5 } });
  const ctx = makeContext({ scope, body: { model: 'fast', max_tokens: 300, messages: [{ role: 'user', content: 'Write a haiku about rate limits.' }] } });
  await stage.run(ctx);
  const state = ctx.reservation as BudgetState;
  state.stopRenewal();
  const input = estimateInputTokens(ctx);
  t.same(state.worstCasePrice, { input: 2.5, output: 10 }, 'fast (gpt-4o-mini) falls back to smart (gpt-4o): its price bounds the cost');
  t.equal(state.outputTokens, 300);
  t.equal(state.inputTokens, input);
  t.equal(state.reservation.amountMicroUsd, costMicroUsd(input, 300, { input: 2.5, output: 10 }));
  t.equal(state.capMicroUsd, 5_000_000);
  t.same(state.alertThresholds, [50, 80, 100]);
  t.equal((await ledger.read(scope)).reservedMicroUsd, state.reservation.amountMicroUsd);
  t.equal(ctx.forwardBody, undefined, 'a client cap is left as is');
});

t.test('the default output cap is written into the forwarded body, in the field the API reads', async (t) => {
  const { stage, scope } = setup(
    { budget: { monthlyUsd: 5, defaultMaxTokens: 777 }, tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' }, think: { provider: 'openai', model: 'o3-mini' } } },
    { pricing: { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'o3-mini': { input: 1.1, output: 4.4 } } },
  );
  const cases: { name: string; route: 'chat' | 'responses' | 'messages' | 'embeddings'; tier: string; model: string; body: Record<string, unknown>; field?: string }[] = [
    { name: 'chat', route: 'chat', tier: 'fast', model: 'gpt-4o-mini', body: { model: 'fast', messages: [{ role: 'user', content: 'hi' }] }, field: 'max_tokens' },
    { name: 'chat, reasoning model', route: 'chat', tier: 'think', model: 'o3-mini', body: { model: 'think', messages: [{ role: 'user', content: 'hi' }] }, field: 'max_completion_tokens' },
    { name: 'responses', route: 'responses', tier: 'fast', model: 'gpt-4o-mini', body: { model: 'fast', input: 'hi' }, field: 'max_output_tokens' },
    { name: 'embeddings', route: 'embeddings', tier: 'fast', model: 'gpt-4o-mini', body: { model: 'fast', input: 'hi' } },
  ];
  for (const c of cases) {
    const ctx = makeContext({ scope, route: c.route, tier: c.tier, model: c.model, body: c.body });
    await stage.run(ctx);
    const state = ctx.reservation as BudgetState;
    state.stopRenewal();
    if (c.field) {
      t.equal(ctx.outgoingBody[c.field], 777, `${c.name}: ${c.field} = defaultMaxTokens`);
      t.equal(state.outputTokens, 777);
    } else {
      t.equal(ctx.forwardBody, undefined, `${c.name}: nothing to cap`);
      t.equal(state.outputTokens, 0);
    }
    t.notOk('max_tokens' in ctx.request.body || 'max_output_tokens' in ctx.request.body, `${c.name}: the parsed request stays untouched`);
  }
  const withN = makeContext({ scope, body: { model: 'fast', n: 3, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } });
  await stage.run(withN);
  const nState = withN.reservation as BudgetState;
  nState.stopRenewal();
  t.equal(nState.outputTokens, 30, 'n choices multiply the output bound');
});

t.test('over the cap: 429 budget_exceeded with x-should-retry: false, nothing reserved', async (t) => {
  const { stage, scope, ledger } = setup({ budget: { monthlyUsd: 0.001 } });
  const ctx = makeContext({ scope, body: { model: 'fast', max_tokens: 4000, messages: [{ role: 'user', content: 'hi' }] } });
  const err = await stage.run(ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof GatewayError);
  if (!(err instanceof GatewayError)) return;
  t.equal(err.code, 'budget_exceeded');
  t.equal(err.status, 429);
  t.equal(errorHeaders(err)['x-should-retry'], 'false');
  t.match(err.message, /monthly budget/);
  t.notOk(ctx.reservation);
  t.equal((await ledger.read(scope)).reservedMicroUsd, 0);
});

t.test('a model without a price cannot be budgeted', async (t) => {
  const { stage, scope } = setup({ budget: { monthlyUsd: 5 }, tiers: { odd: { provider: 'openai', model: 'mystery-model' } } });
  await t.rejects(stage.run(makeContext({ scope, tier: 'odd', model: 'mystery-model' })), { code: 'invalid_request', param: 'model' });
});

t.test('long requests renew their reservation', async (t) => {
  const config = makeConfig('acme', { budget: { monthlyUsd: 5 } });
  const { source, scope } = configSource(config);
  const ledger = new SqliteSpendLedger({ file: join(t.testdir(), 'spend.db') });
  t.teardown(() => ledger.close());
  const stage = createBudgetStage({ ledger, registry: source, pricing: config.pricing, logger: silent, reservationTtlMs: 1500 });
  const ctx = makeContext({ scope });
  await stage.run(ctx);
  await new Promise((r) => setTimeout(r, 3200));
  t.equal((await ledger.read(scope)).openReservations, 1, 'still held after twice its TTL');
  (ctx.reservation as BudgetState).stopRenewal();
  await new Promise((r) => setTimeout(r, 2100));
  t.equal((await ledger.read(scope)).openReservations, 0, 'lapses once renewals stop (as after a crash)');
});
