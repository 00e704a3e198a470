import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { startRedisServer } from '../helpers/redis-server.js';
import { createLimitStores, spendDbPath } from '../../proxy/limits/create-limit-stores.js';
import { createLimitStage } from '../../proxy/pipeline/stages/limit.js';
import { createBudgetStage, type BudgetState } from '../../proxy/pipeline/stages/budget.js';
import { createSettleStage, type SettleState } from '../../proxy/pipeline/stages/settle.js';
import { configSource, makeConfig, makeContext } from './stage-fixtures.js';
import { sleep } from './store-contract.js';

const silent = pino({ level: 'silent' });

t.test('embedded stores: memory counters, SQLite spend under <audit.dir>/state/spend.db', async (t) => {
  const dir = t.testdir();
  const config = makeConfig('acme', {}, { audit: { dir: join(dir, 'data') } });
  const stores = createLimitStores(config, silent);
  t.teardown(() => stores.close());
  t.equal(stores.backend, 'embedded');
  await stores.ready();
  t.equal(stores.isHealthy(), true);
  t.equal(spendDbPath(config), join(dir, 'data', 'state', 'spend.db'));
  t.ok(existsSync(spendDbPath(config)));
});

t.test('Redis unreachable: budgets fail closed, rate limits follow failMode, settles retry until Redis returns', async (t) => {
  const redis = await startRedisServer(t);
  const config = makeConfig('acme', { budget: { monthlyUsd: 10 }, rateLimits: { perUser: { requestsPerMinute: 100 } } }, { redis: { url: redis.url, commandTimeoutMs: 500 } });
  t.equal(config.redis?.failMode, 'closed', 'closed is the default');
  const stores = createLimitStores(config, silent);
  t.teardown(() => stores.close());
  t.equal(stores.backend, 'redis');
  await stores.ready(5000);
  t.equal(stores.isHealthy(), true);
  const { source, scope } = configSource(config);
  let allowedOpen = 0;
  const closed = createLimitStage({ store: stores.rateLimits, registry: source, logger: silent, failMode: 'closed' });
  const open = createLimitStage({ store: stores.rateLimits, registry: source, logger: silent, failMode: 'open', onFailureModeAllowed: () => allowedOpen++ });
  const budget = createBudgetStage({ ledger: stores.ledger, registry: source, pricing: config.pricing, logger: silent });
  const settle = createSettleStage({ ledger: stores.ledger, rateLimits: stores.rateLimits, pricing: config.pricing, logger: silent });
  t.teardown(() => settle.close());

  // A request that reserved while Redis was up and finishes while it is down.
  const inFlight = makeContext({ scope });
  await closed.run(inFlight);
  await budget.run(inFlight);
  const amount = (inFlight.reservation as BudgetState).reservation.amountMicroUsd;
  t.equal(inFlight.responseHeaders['x-ratelimit-remaining-requests'], '99');

  await redis.stop();
  await sleep(50);
  t.equal(stores.isHealthy(), false, '/readyz would report the store down');
  const started = Date.now();
  await t.rejects(closed.run(makeContext({ scope })), { code: 'dependency_unavailable', status: 503 }, 'failMode closed → 503');
  const viaOpen = makeContext({ scope });
  await open.run(viaOpen);
  t.equal(open.failureModeAllowed, 1, 'failMode open → allowed and counted');
  t.equal(allowedOpen, 1);
  t.same(viaOpen.responseHeaders, {}, 'no limit headers when nothing was counted');
  await t.rejects(budget.run(makeContext({ scope })), { code: 'dependency_unavailable', status: 503 }, 'budgets always fail closed: no upstream call');
  t.ok(Date.now() - started < 2000, `all answered fast (${Date.now() - started} ms)`);

  inFlight.upstream = { provider: 'openai', model: 'gpt-4o-mini', status: 200, latencyMs: 1, attempts: 1 };
  inFlight.usage = { inputTokens: 100, outputTokens: 50 };
  await t.resolves(settle.run(inFlight));
  await inFlight.settling;
  const costUsd = (inFlight.settled as SettleState).costUsd ?? 0;
  t.ok(costUsd > 0 && costUsd * 1e6 <= amount, 'audit still gets the cost');
  t.equal(settle.pendingRetries, 1, 'the charge waits for the ledger');

  await redis.restart();
  const back = Date.now();
  let recovered = false;
  while (!recovered && Date.now() - back < 5000) {
    recovered = await closed.run(makeContext({ scope })).then(
      () => true,
      () => false,
    );
    if (!recovered) await sleep(50);
  }
  t.ok(recovered, `limits answer again ${Date.now() - back} ms after Redis returned, without a restart`);
  const ctx = makeContext({ scope });
  await budget.run(ctx);
  (ctx.reservation as BudgetState).stopRenewal();
  t.pass('budgets reserve again');
  let charged = 0;
  while (Date.now() - back < 8000) {
    charged = (await stores.ledger.read(scope)).spentMicroUsd;
    if (charged > 0) break;
    await sleep(100);
  }
  t.equal(charged, Math.round(costUsd * 1e6), 'the retried settle charged the real cost once');
  t.equal(settle.pendingRetries, 0);
});
