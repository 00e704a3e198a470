import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mintTenantScope, type TenantScope } from '../../proxy/identity/tenant-scope.js';
import type { RateLimitStore } from '../../proxy/limits/rate-limit-store.js';
import type { SpendLedger } from '../../proxy/limits/spend-ledger.js';
import type { Clock } from '../../proxy/limits/month.js';

/**
 * The contract every rate-limit store and spend ledger must pass. A test file per backend
 * calls these with its factories (memory + SQLite, real Redis): the same assertions, verbatim.
 */
export interface Backend {
  readonly name: string;
  /** A store instance; `instance` 0 and 1 are distinct gateway instances (the memory backend cannot share them). */
  rateLimits(options: { windowMs?: number; instance?: number }): Promise<RateLimitStore>;
  ledger(options: { clock?: Clock; instance?: number }): Promise<SpendLedger>;
  /** True when two instances share counters (Redis). */
  readonly sharedAcrossInstances: boolean;
}

export function freshScope(prefix = 't'): TenantScope {
  return mintTenantScope(`${prefix}-${randomBytes(5).toString('hex')}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function rateLimitContract(backend: Backend): void {
  t.test(`${backend.name}: exactly N of 500 concurrent admissions pass a limit of N`, async (t) => {
    const store = await backend.rateLimits({});
    const scope = freshScope();
    const rules = [{ subject: { kind: 'user' as const, id: 'alice' }, requests: 100 }];
    const results = await Promise.all(Array.from({ length: 500 }, () => store.admit(scope, { rules, tokens: 0 })));
    const allowed = results.filter((r) => r.allowed);
    t.equal(allowed.length, 100, 'exactly 100 allowed');
    const refused = results.filter((r) => !r.allowed);
    t.equal(refused.length, 400);
    t.ok(
      refused.every((r) => r.retryAfterMs > 0 && r.retryAfterMs <= 60_000 && r.refusedBy?.dimension === 'requests'),
      'every refusal says when to retry',
    );
    t.ok(allowed.every((r) => r.requests?.limit === 100 && r.requests.remaining >= 0 && r.requests.remaining < 100));
    t.same(new Set(allowed.map((r) => r.requests?.remaining)).size, 100, 'each admission saw a distinct remaining count');
    const again = await store.admit(scope, { rules, tokens: 0 });
    t.equal(again.allowed, false, 'still full afterwards');
    t.equal(again.requests?.remaining, 0);
  });

  t.test(`${backend.name}: two instances together admit exactly N`, async (t) => {
    const a = await backend.rateLimits({ instance: 0 });
    const b = await backend.rateLimits({ instance: 1 });
    const scope = freshScope();
    const rules = [{ subject: { kind: 'user' as const, id: 'alice' }, requests: 100 }];
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? a : b).admit(scope, { rules, tokens: 0 })));
    const allowed = results.filter((r) => r.allowed).length;
    t.equal(allowed, backend.sharedAcrossInstances ? 100 : 200, backend.sharedAcrossInstances ? 'one shared window' : 'per-process windows');
  });

  t.test(`${backend.name}: all rules are checked before any is charged`, async (t) => {
    const store = await backend.rateLimits({});
    const scope = freshScope();
    const rule = (user: string) => [
      { subject: { kind: 'user' as const, id: user }, requests: 10 },
      { subject: { kind: 'tenant' as const, id: '' }, requests: 15 },
    ];
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => store.admit(scope, { rules: rule(i % 2 === 0 ? 'alice' : 'bob'), tokens: 0 })));
    t.equal(results.filter((r) => r.allowed).length, 15, 'the tenant limit caps the total');
    const refusedByTenant = results.filter((r) => !r.allowed && r.refusedBy?.subject.kind === 'tenant');
    t.ok(refusedByTenant.length > 0, 'some refusals name the tenant limit');
    // Another tenant is unaffected: scopes never share counters.
    const other = await store.admit(freshScope(), { rules: rule('alice'), tokens: 0 });
    t.equal(other.allowed, true);
    t.equal(other.requests?.remaining, 9);
  });

  t.test(`${backend.name}: the window slides (no fixed-window burst, capacity returns as entries age out)`, async (t) => {
    const W = 3000;
    const store = await backend.rateLimits({ windowMs: W });
    const scope = freshScope();
    const rules = [{ subject: { kind: 'key' as const, id: 'key-1' }, requests: 5 }];
    const firstFrom = Date.now();
    for (let i = 0; i < 3; i++) t.equal((await store.admit(scope, { rules, tokens: 0 })).allowed, true);
    const firstTo = Date.now();
    await sleep(1500);
    for (let i = 0; i < 2; i++) t.equal((await store.admit(scope, { rules, tokens: 0 })).allowed, true);
    const askedAt = Date.now();
    const full = await store.admit(scope, { rules, tokens: 0 });
    const answeredAt = Date.now();
    t.equal(full.allowed, false, 'full at 5 within the window');
    // The oldest entry (first batch) leaves W after it was admitted: bounds from measured times, not sleeps.
    const lo = firstFrom + W - answeredAt - 20;
    const hi = firstTo + W - askedAt + 20;
    t.ok(full.retryAfterMs >= lo && full.retryAfterMs <= hi, `retry when the first batch ages out (${full.retryAfterMs} ms in [${lo}, ${hi}])`);
    await sleep(full.retryAfterMs + 100);
    const freed = await Promise.all(Array.from({ length: 5 }, () => store.admit(scope, { rules, tokens: 0 })));
    t.equal(freed.filter((r) => r.allowed).length, 3, 'only the 3 aged-out slots came back; the later 2 still count');
    await sleep(W + 100);
    t.equal((await store.admit(scope, { rules, tokens: 0 })).requests?.remaining, 4, 'an idle window is empty again');
  });

  t.test(`${backend.name}: tokens per window, corrected with real usage`, async (t) => {
    const store = await backend.rateLimits({});
    const scope = freshScope();
    const rules = [{ subject: { kind: 'user' as const, id: 'alice' }, tokens: 1000 }];
    const first = await store.admit(scope, { rules, tokens: 400 });
    t.equal(first.allowed, true);
    t.equal(first.tokens?.remaining, 600);
    t.ok(first.handle, 'a handle to correct the estimate');
    t.equal((await store.admit(scope, { rules, tokens: 400 })).allowed, true);
    const third = await store.admit(scope, { rules, tokens: 400 });
    t.equal(third.allowed, false, '800 + 400 > 1000');
    t.equal(third.refusedBy?.dimension, 'tokens');
    t.ok(third.retryAfterMs > 0 && Number.isFinite(third.retryAfterMs));
    await store.correctTokens(scope, first.handle!, 100);
    const fourth = await store.admit(scope, { rules, tokens: 400 });
    t.equal(fourth.allowed, true, 'after correcting 400 → 100 the request fits (500 + 400 ≤ 1000)');
    t.equal(fourth.tokens?.remaining, 100);
    await store.correctTokens(scope, fourth.handle!, 500);
    t.equal((await store.admit(scope, { rules, tokens: 1 })).allowed, false, 'correcting upwards counts too');
    const huge = await store.admit(freshScope(), { rules, tokens: 1001 });
    t.equal(huge.allowed, false);
    t.equal(huge.retryAfterMs, Infinity, 'a request above the limit can never fit');
  });

  t.test(`${backend.name}: tokens are exact under concurrency`, async (t) => {
    const store = await backend.rateLimits({});
    const scope = freshScope();
    const rules = [
      { subject: { kind: 'user' as const, id: 'alice' }, tokens: 10_000, requests: 1000 },
      { subject: { kind: 'key' as const, id: 'k' }, tokens: 50_000 },
    ];
    const results = await Promise.all(Array.from({ length: 300 }, () => store.admit(scope, { rules, tokens: 100 })));
    t.equal(results.filter((r) => r.allowed).length, 100);
    const last = await store.admit(scope, { rules, tokens: 0 });
    t.equal(last.tokens?.remaining, 0, 'the most constraining rule is reported');
    t.equal(last.requests?.remaining, 899, 'requests were only counted for admitted requests (100 + this one)');
  });

  t.test(`${backend.name}: reset reports when capacity starts to return`, async (t) => {
    const W = 5000;
    const store = await backend.rateLimits({ windowMs: W });
    const scope = freshScope();
    const rules = [{ subject: { kind: 'user' as const, id: 'alice' }, requests: 2, tokens: 100 }];
    const firstFrom = Date.now();
    const r1 = await store.admit(scope, { rules, tokens: 10 });
    const firstTo = Date.now();
    t.equal(r1.requests?.resetMs, W, 'a lone entry: the whole window');
    await sleep(300);
    const askedAt = Date.now();
    const r2 = await store.admit(scope, { rules, tokens: 10 });
    const answeredAt = Date.now();
    const lo = firstFrom + W - answeredAt - 5;
    const hi = firstTo + W - askedAt + 5;
    t.ok(r2.requests && r2.requests.resetMs >= lo && r2.requests.resetMs <= hi, `reset follows the oldest entry (${r2.requests?.resetMs} in [${lo}, ${hi}])`);
    t.ok(r2.tokens && r2.tokens.resetMs >= lo && r2.tokens.resetMs <= hi);
    t.equal(r2.tokens?.remaining, 80);
  });
}
