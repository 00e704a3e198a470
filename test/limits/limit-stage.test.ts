import t from 'tap';
import { pino } from 'pino';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { errorHeaders } from '../../proxy/errors/render.js';
import { createLimitStage, rulesFor, type LimitState } from '../../proxy/pipeline/stages/limit.js';
import { MemoryRateLimitStore } from '../../proxy/limits/memory-rate-limit-store.js';
import { formatGoDuration } from '../../proxy/limits/go-duration.js';
import { configSource, makeConfig, makeContext } from './stage-fixtures.js';

const silent = pino({ level: 'silent' });

function setup(rateLimits: Record<string, unknown>, tenantExtra: Record<string, unknown> = {}) {
  const config = makeConfig('acme', { rateLimits, ...tenantExtra });
  const { source, scope } = configSource(config);
  const store = new MemoryRateLimitStore();
  t.teardown(() => store.close());
  const stage = createLimitStage({ store, registry: source, logger: silent, failMode: 'closed' });
  return { stage, scope, store };
}

t.test('Go-style durations as in OpenAI headers', async (t) => {
  t.equal(formatGoDuration(0), '0s');
  t.equal(formatGoDuration(17), '17ms');
  t.equal(formatGoDuration(999.6), '1s');
  t.equal(formatGoDuration(1500), '1.5s');
  t.equal(formatGoDuration(12_000), '12s');
  t.equal(formatGoDuration(60_000), '1m0s');
  t.equal(formatGoDuration(6 * 60_000), '6m0s');
  t.equal(formatGoDuration(61_250), '1m1.25s');
  t.equal(formatGoDuration(3_723_000), '1h2m3s');
  t.equal(formatGoDuration(-5), '0s');
});

t.test('rules: per user, per key and per tenant only where configured', async (t) => {
  const principal = makeContext({ scope: configSource(makeConfig('acme')).scope, user: 'bob', keyId: 'key-9' }).principal;
  t.same(rulesFor({}, principal), []);
  t.same(rulesFor({ perUser: { requestsPerMinute: 5 }, perKey: { tokensPerMinute: 100 }, perTenant: { requestsPerMinute: 50, tokensPerMinute: 1000 } }, principal), [
    { subject: { kind: 'user', id: 'bob' }, requests: 5 },
    { subject: { kind: 'key', id: 'key-9' }, tokens: 100 },
    { subject: { kind: 'tenant', id: '' }, requests: 50, tokens: 1000 },
  ]);
  t.same(rulesFor({ perUser: {} }, principal), [], 'an empty block limits nothing');
});

t.test('admitted requests carry the OpenAI header sextet; refusals are 429 with retry-after', async (t) => {
  const { stage, scope } = setup({ perUser: { requestsPerMinute: 2, tokensPerMinute: 10_000 } });
  const first = makeContext({ scope, body: { model: 'fast', max_tokens: 100, messages: [{ role: 'user', content: 'hello there' }] } });
  await stage.run(first);
  const h = first.responseHeaders;
  t.equal(h['x-ratelimit-limit-requests'], '2');
  t.equal(h['x-ratelimit-remaining-requests'], '1');
  t.match(h['x-ratelimit-reset-requests'], /^(59\.\d+s|1m0s|60s)$/);
  t.equal(h['x-ratelimit-limit-tokens'], '10000');
  const used = 10_000 - Number(h['x-ratelimit-remaining-tokens']);
  t.ok(used > 100 && used < 130, `tokens counted at admission = input + max_tokens (${used})`);
  t.match(h['x-ratelimit-reset-tokens'], /s$/);
  const state = first.admission as LimitState;
  t.equal(state.estimatedTokens, used);
  t.ok(state.handle);
  await stage.run(makeContext({ scope }));
  const third = makeContext({ scope });
  const err = await stage.run(third).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof GatewayError);
  if (!(err instanceof GatewayError)) return;
  t.equal(err.code, 'rate_limit_exceeded');
  t.equal(err.status, 429);
  t.match(err.headers['retry-after'], /^\d+$/);
  t.ok(Number(err.headers['retry-after']) >= 59 && Number(err.headers['retry-after']) <= 60);
  t.ok(Number(err.headers['retry-after-ms']) > 58_000);
  t.notOk('x-should-retry' in errorHeaders(err), 'SDKs may retry a rate limit');
  t.match(err.message, /requests per minute/);
  t.equal(third.responseHeaders['x-ratelimit-remaining-requests'], '0', 'the 429 carries the headers too');
});

t.test('a request whose estimate can never fit is refused without inviting retries', async (t) => {
  const { stage, scope } = setup({ perKey: { tokensPerMinute: 500 } });
  const ctx = makeContext({ scope, body: { model: 'fast', max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] } });
  await t.rejects(stage.run(ctx), { code: 'rate_limit_exceeded', headers: { 'x-should-retry': 'false', 'retry-after': '60' } });
});

t.test('no configured limits: no counting, no headers', async (t) => {
  const { stage, scope } = setup({});
  const ctx = makeContext({ scope });
  await stage.run(ctx);
  t.same(ctx.responseHeaders, {});
  t.notOk(ctx.admission);
});

t.test('the output bound defaults to the budget cap when the client sets none', async (t) => {
  const { stage, scope } = setup({ perUser: { tokensPerMinute: 100_000 } }, { budget: { monthlyUsd: 10, defaultMaxTokens: 2000 } });
  const ctx = makeContext({ scope });
  await stage.run(ctx);
  const used = 100_000 - Number(ctx.responseHeaders['x-ratelimit-remaining-tokens']);
  t.ok(used >= 2000 && used < 2030, `estimate includes defaultMaxTokens (${used})`);
});
