import t, { type Test } from 'tap';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { createBudgetStage, type BudgetState } from '../../proxy/pipeline/stages/budget.js';
import { createSettleStage, readSettled, type SettleState } from '../../proxy/pipeline/stages/settle.js';
import { SqliteSpendLedger } from '../../proxy/limits/sqlite-spend-ledger.js';
import { MemoryRateLimitStore } from '../../proxy/limits/memory-rate-limit-store.js';
import { costMicroUsd, costUsd } from '../../proxy/limits/cost.js';
import type { BudgetAlert } from '../../proxy/limits/spend-ledger.js';
import type { TenantScope } from '../../proxy/identity/tenant-scope.js';
import { captureLogger, configSource, makeBareContext, makeConfig, makeContext } from './stage-fixtures.js';

/** Each setup gets a ledger file of its own: one ledger owns a file. */
let ledgers = 0;

function setup(tenant: Record<string, unknown>) {
  const config = makeConfig('acme', tenant);
  const { source, scope } = configSource(config);
  const file = join(t.testdir(), `spend-${++ledgers}.db`);
  const ledger = new SqliteSpendLedger({ file });
  const store = new MemoryRateLimitStore();
  t.teardown(async () => {
    await ledger.close();
    await store.close();
  });
  const { logger, lines } = captureLogger();
  const alerts: { scope: TenantScope; alert: BudgetAlert }[] = [];
  const budget = createBudgetStage({ ledger, registry: source, pricing: config.pricing, logger, onAlert: (s, alert) => alerts.push({ scope: s, alert }) });
  const settle = createSettleStage({ ledger, rateLimits: store, pricing: config.pricing, logger, registry: source });
  return { scope, ledger, budget, settle, alerts, lines, file };
}

const ok200 = (model: string) => ({ provider: 'openai', model, status: 200, latencyMs: 5, attempts: 1 });

t.test('real usage is priced at the answering model and settles the reservation', async (t) => {
  const { scope, ledger, budget, settle } = setup({ budget: { monthlyUsd: 10 } });
  const ctx = makeContext({ scope, body: { model: 'fast', max_tokens: 500, messages: [{ role: 'user', content: 'hello' }] } });
  await budget.run(ctx);
  ctx.upstream = ok200('gpt-4o-mini');
  ctx.pendingResponse = { status: 200, headers: {}, body: '{}' };
  ctx.usage = { inputTokens: 1200, outputTokens: 345 };
  await settle.run(ctx);
  await ctx.settling;
  const s = readSettled(ctx) as SettleState;
  t.same(s, { costUsd: costUsd(1200, 345, { input: 0.15, output: 0.6 }), estimated: false, basis: 'usage' });
  t.equal(s.costUsd, 0.000387, 'documented: 1200 × $0.15/M + 345 × $0.60/M, rounded up to the micro-dollar');
  const read = await ledger.read(scope);
  t.equal(read.spentMicroUsd, 387);
  t.same(read.byUser, { alice: 387 });
  t.equal(read.openReservations, 0);

  const viaFallback = makeContext({ scope, body: { model: 'fast', max_tokens: 500, messages: [{ role: 'user', content: 'hello' }] } });
  await budget.run(viaFallback);
  viaFallback.upstream = ok200('gpt-4o');
  viaFallback.usage = { inputTokens: 100, outputTokens: 100 };
  await settle.run(viaFallback);
  await viaFallback.settling;
  t.equal((viaFallback.settled as SettleState).costUsd, costUsd(100, 100, { input: 2.5, output: 10 }), 'a fallback is priced as the fallback model');

  const dated = makeContext({ scope });
  await budget.run(dated);
  dated.upstream = ok200('gpt-4o-mini-2024-07-18');
  dated.usage = { inputTokens: 100, outputTokens: 100 };
  await settle.run(dated);
  await dated.settling;
  t.equal((dated.settled as SettleState).costUsd, costUsd(100, 100, { input: 2.5, output: 10 }), 'an unpriced answering model name is charged at the worst-case price');
});

t.test('failures release; disconnects mid-stream charge the full reservation, estimated', async (t) => {
  const { scope, ledger, budget, settle } = setup({ budget: { monthlyUsd: 10 } });
  const reserved = async (ctx: ReturnType<typeof makeContext>) => {
    await budget.run(ctx);
    return (ctx.reservation as BudgetState).reservation.amountMicroUsd;
  };
  const timeout = makeContext({ scope });
  await reserved(timeout);
  timeout.error = new GatewayError('upstream_timeout', 'slow');
  await settle.run(timeout);
  await timeout.settling;
  t.same(timeout.settled, { costUsd: 0, estimated: false, basis: 'released' });

  const upstreamError = makeContext({ scope });
  await reserved(upstreamError);
  upstreamError.upstream = { provider: 'openai', model: 'gpt-4o-mini', status: 500, latencyMs: 1, attempts: 2 };
  upstreamError.error = new GatewayError('upstream_error', 'bad gateway');
  await settle.run(upstreamError);
  await upstreamError.settling;
  t.equal((upstreamError.settled as SettleState).basis, 'released');

  const disconnect = makeContext({ scope, stream: true });
  const amount = await reserved(disconnect);
  disconnect.res.writeHead(200, { 'content-type': 'text/event-stream' });
  disconnect.clientDisconnected = true;
  await settle.run(disconnect);
  await disconnect.settling;
  t.same(disconnect.settled, { costUsd: amount / 1e6, estimated: true, basis: 'reservation' }, 'never $0');
  t.ok(amount > 0);

  const estimatedUsage = makeContext({ scope, stream: true });
  const amount2 = await reserved(estimatedUsage);
  estimatedUsage.res.writeHead(200);
  estimatedUsage.usage = { inputTokens: 5, outputTokens: 5, estimated: true };
  await settle.run(estimatedUsage);
  await estimatedUsage.settling;
  t.same(estimatedUsage.settled, { costUsd: amount2 / 1e6, estimated: true, basis: 'reservation' }, 'an estimate never charges less than the reservation');

  const read = await ledger.read(scope);
  t.equal(read.spentMicroUsd, amount + amount2);
  t.equal(read.openReservations, 0);
  t.equal(read.reservedMicroUsd, 0);
});

t.test('alerts: once per threshold, logged and reported through onAlert', async (t) => {
  const { scope, budget, settle, alerts, lines } = setup({ budget: { monthlyUsd: 1, alertThresholds: [50, 80, 100] } });
  // Tier `smart` (gpt-4o, $10/M output, no fallbacks): 30k output tokens = $0.30.
  const run = async (outputTokens: number): Promise<void> => {
    const ctx = makeContext({ scope, tier: 'smart', model: 'gpt-4o', body: { model: 'smart', max_tokens: 30_000, messages: [{ role: 'user', content: 'x' }] } });
    await budget.run(ctx);
    ctx.upstream = ok200('gpt-4o');
    ctx.usage = { inputTokens: 0, outputTokens };
    await settle.run(ctx);
    await ctx.settling;
  };
  await run(30_000); // 30%
  t.same(alerts, []);
  await run(24_000); // 54%
  t.same(alerts.map((a) => a.alert.threshold), [50]);
  t.equal(alerts[0]?.scope, scope);
  t.same(alerts[0]?.alert, { threshold: 50, spentUsd: 0.54, capUsd: 1, month: new Date().toISOString().slice(0, 7) });
  await run(6000); // 60%
  t.equal(alerts.length, 1, 'not again');
  await run(30_000); // 90%: crosses 80 only
  t.same(alerts.map((a) => a.alert.threshold), [50, 80]);
  t.ok(lines.some((l) => l['msg'] === 'budget alert threshold reached' && l['threshold'] === 80));
});

t.test('tenants without a budget still get their spend recorded (admin usage, audit costUsd)', async (t) => {
  const { scope, ledger, settle } = setup({});
  const ctx = makeContext({ scope, user: 'bob' });
  ctx.upstream = ok200('gpt-4o-mini');
  ctx.usage = { inputTokens: 1_000_000, outputTokens: 0 };
  await settle.run(ctx);
  await ctx.settling;
  t.same(ctx.settled, { costUsd: 0.15, estimated: false, basis: 'usage' });
  t.same((await ledger.read(scope)).byUser, { bob: 150_000 });
  const disconnected = makeContext({ scope, user: 'bob', body: { model: 'fast', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] } });
  disconnected.res.writeHead(200);
  disconnected.clientDisconnected = true;
  await settle.run(disconnected);
  await disconnected.settling;
  const s = disconnected.settled as SettleState;
  t.equal(s.estimated, true);
  t.ok((s.costUsd ?? 0) >= costMicroUsd(0, 1000, { input: 0.15, output: 0.6 }) / 1e6, 'estimated from the request bound, not $0');
});

/** {@link setup}, and what its ledger file holds committed, read through a connection of its own. */
function probedSetup(t: Test, tenant: Record<string, unknown>) {
  const stages = setup(tenant);
  const probe = new Database(stages.file, { readonly: true });
  t.teardown(() => probe.close());
  const committed = (): number => (probe.prepare('SELECT coalesce(sum(spent), 0) AS s FROM spend_month').get() as { s: number }).s;
  return { ...stages, committed, ctx: makeContext({ scope: stages.scope, user: 'bob' }) };
}

t.test('without a budget the charge is written behind: settle does not wait for its commit, the next read sees it', async (t) => {
  const { scope, ledger, settle, committed, ctx } = probedSetup(t, {});
  ctx.upstream = ok200('gpt-4o-mini');
  ctx.usage = { inputTokens: 1_000_000, outputTokens: 0 };
  await settle.run(ctx);
  await ctx.settling;
  t.equal(committed(), 0, 'settle returned before the charge was committed');
  t.same((await ledger.read(scope)).byUser, { bob: 150_000 }, 'a read commits it first');
  t.equal(committed(), 150_000);
});

t.test('with a budget the answer waits for the charge in ctx.settling, not in the stage, so audit can overlap it', async (t) => {
  const { budget, settle, committed, ctx } = probedSetup(t, { budget: { monthlyUsd: 10 } });
  await budget.run(ctx);
  ctx.upstream = ok200('gpt-4o-mini');
  ctx.usage = { inputTokens: 1_000_000, outputTokens: 0 };
  await settle.run(ctx);
  t.same(ctx.settled, { costUsd: 0.15, estimated: false, basis: 'usage' }, 'the cost audit records is decided');
  t.equal(committed(), 0, 'the stage returned before the charge was committed');
  t.ok(ctx.settling, 'what the answer must wait for');
  await ctx.settling;
  t.equal(committed(), 150_000, 'committed once ctx.settling resolved');
});

t.test('settle never throws: before identify, or with a closed ledger', async (t) => {
  const { scope, ledger, settle, lines } = setup({ budget: { monthlyUsd: 1 } });
  const bare = makeBareContext();
  bare.error = new GatewayError('invalid_api_key', 'no key');
  await t.resolves(settle.run(bare));
  t.notOk(bare.settled, 'nothing to settle before identify');
  await ledger.close();
  const after = makeContext({ scope });
  after.upstream = ok200('gpt-4o-mini');
  after.usage = { inputTokens: 1, outputTokens: 1 };
  await t.resolves(settle.run(after), 'a failing ledger is logged, not thrown');
  await after.settling;
  // A charge without a reservation is written behind: its failure shows when its commit is tried.
  for (let i = 0; i < 100 && !lines.some((l) => l['msg'] === 'spend settle failed; retrying in the background'); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(lines.some((l) => l['msg'] === 'spend settle failed; retrying in the background'));
  t.equal(settle.pendingRetries, 1);
  settle.close();
  t.equal(settle.pendingRetries, 0);
});
