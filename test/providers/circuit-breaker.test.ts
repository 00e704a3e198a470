import t from 'tap';
import { CircuitBreakers } from '../../proxy/providers/circuit-breaker.js';
import { startFakeSetup } from './forward-harness.js';

async function post(url: string, body: unknown): Promise<{ status: number; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wj_x' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, headers: res.headers };
}

t.test('open after N consecutive failures, one half-open probe, closed on success', async (t) => {
  let now = 1000;
  const b = new CircuitBreakers({ failureThreshold: 3, openMs: 500, now: () => now });
  b.failure('e');
  b.failure('e');
  b.success('e');
  b.failure('e');
  b.failure('e');
  t.equal(b.state('e'), 'closed', 'a success resets the count: failures must be consecutive');
  b.failure('e');
  t.equal(b.state('e'), 'open');
  t.match(b.admit('e'), { allowed: false, retryAfterMs: 500 });
  now += 500;
  t.equal(b.state('e'), 'half_open');
  t.same(b.admit('e'), { allowed: true }, 'one probe goes');
  t.match(b.admit('e'), { allowed: false }, 'a second concurrent probe does not');
  b.failure('e');
  t.equal(b.state('e'), 'open', 'a failed probe opens again');
  now += 500;
  t.same(b.admit('e'), { allowed: true });
  b.success('e');
  t.equal(b.state('e'), 'closed');
  t.same(b.admit('other'), { allowed: true }, 'per endpoint');
});

t.test('a dead provider costs one timeout per open period, not one per request', async (t) => {
  const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 60_000 });
  const { fake, backup, url } = await startFakeSetup(t, ['spare'], { timeouts: { firstByteTimeoutMs: 300 }, forward: { breakers } });
  for (let i = 0; i < 2; i++) fake.enqueue({ delayFirstByteMs: 3000 });
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    const res = await post(`${url}/v1/chat/completions`, { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    t.equal(res.status, 200, `request ${i + 1} answered by the fallback`);
    if (i >= 2) t.ok(Date.now() - started < 250, `request ${i + 1} did not wait for the dead provider`);
  }
  t.equal(fake.requests.length, 2, 'the dead provider was tried only until its circuit opened');
  t.equal(backup.requests.length, 5);
});

t.test("one tenant's failures never open the circuit for another tenant on the same endpoint", async (t) => {
  const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 60_000 });
  const { fake, url } = await startFakeSetup(t, [], {
    timeouts: { firstByteTimeoutMs: 300 },
    forward: { breakers },
    // The harness's static principal, with the tenant taken from a test header.
    beforeRoute: (ctx) => {
      const tenant = ctx.req.headers['x-test-tenant'];
      if (typeof tenant === 'string') ctx.principal = { ...ctx.principal, tenantId: tenant };
    },
  });
  const call = async (tenant: string): Promise<number> => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wj_x', 'x-test-tenant': tenant },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  // Tenant noisy's requests run past the first-byte timeout until its circuit opens.
  for (let i = 0; i < 2; i++) fake.enqueue({ delayFirstByteMs: 3000 });
  for (let i = 0; i < 2; i++) t.not(await call('noisy'), 200, `noisy request ${i + 1} timed out`);
  t.not(await call('noisy'), 200, "noisy's third request is short-circuited");
  t.equal(fake.requests.length, 2, "noisy's open circuit kept its third request off the provider");
  t.equal(await call('quiet'), 200, 'tenant quiet on the same provider endpoint is still served');
  t.equal(fake.requests.length, 3, "quiet's request reached the provider");
  t.equal(breakers.snapshot().filter((s) => s.state === 'open').length, 1, 'only noisy has an open circuit');
});
