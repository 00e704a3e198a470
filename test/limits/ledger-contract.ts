import t from 'tap';
import { randomBytes } from 'node:crypto';
import type { SpendLedger } from '../../proxy/limits/spend-ledger.js';
import { freshScope, sleep, type Backend } from './store-contract.js';

const TTL = 60_000;

export function spendLedgerContract(backend: Backend): void {
  t.test(`${backend.name}: reserve checks spent + outstanding + worst case against the cap`, async (t) => {
    const ledger = await backend.ledger({});
    const scope = freshScope();
    const cap = 1_000_000;
    const a = await ledger.reserve(scope, { amountMicroUsd: 400_000, capMicroUsd: cap, ttlMs: TTL });
    const b = await ledger.reserve(scope, { amountMicroUsd: 400_000, capMicroUsd: cap, ttlMs: TTL });
    t.ok(a.ok && b.ok);
    const c = await ledger.reserve(scope, { amountMicroUsd: 400_000, capMicroUsd: cap, ttlMs: TTL });
    t.equal(c.ok, false, '800k outstanding + 400k > 1M');
    t.equal(c.reservedMicroUsd, 800_000);
    t.equal((await ledger.reserve(scope, { amountMicroUsd: 200_000, capMicroUsd: cap, ttlMs: TTL })).ok, true, 'exactly reaching the cap is allowed');
    if (!a.ok) return;
    const settled = await ledger.settle(scope, { id: a.reservation.id, month: a.reservation.month, costMicroUsd: 123_456, user: 'alice' });
    t.equal(settled.spentMicroUsd, 123_456);
    t.equal(settled.duplicate, false);
    const read = await ledger.read(scope);
    t.equal(read.month, ledger.currentMonth());
    t.equal(read.spentMicroUsd, 123_456);
    t.equal(read.reservedMicroUsd, 600_000);
    t.equal(read.openReservations, 2);
    t.same(read.byUser, { alice: 123_456 });
    const again = await ledger.settle(scope, { id: a.reservation.id, month: a.reservation.month, costMicroUsd: 123_456, user: 'alice' });
    t.equal(again.duplicate, true, 'a retried settle is recognised');
    t.equal((await ledger.read(scope)).spentMicroUsd, 123_456, 'and not charged twice');
    if (b.ok) await ledger.settle(scope, { id: b.reservation.id, month: b.reservation.month, costMicroUsd: 0 });
    t.equal((await ledger.read(scope)).reservedMicroUsd, 200_000, 'a release returns the whole reservation');
    // Another tenant's id cannot touch this tenant's reservation.
    const other = freshScope();
    const open = await ledger.read(scope);
    const stray = await ledger.settle(other, { id: 'nonexistent', month: ledger.currentMonth(), costMicroUsd: 5 });
    t.equal(stray.spentMicroUsd, 5);
    t.same(await ledger.read(scope), open, 'other tenants are untouched');
  });

  t.test(`${backend.name}: 200 concurrent reserves with random settles: ≤ cap, and no false refusals`, async (t) => {
    const ledgers = [await backend.ledger({ instance: 0 }), await backend.ledger({ instance: 1 })];
    const scope = freshScope();
    const cap = 1_000_000;
    const worst = 20_000;
    let clock = 0;
    interface Grant { sentAt: number; settleDoneAt: number; cost: number }
    const grants: Grant[] = [];
    const refusals: { sentAt: number; recvAt: number; spent: number; reserved: number }[] = [];
    let settledSum = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const ledger = ledgers[i % 2] as SpendLedger;
        // Spread over 200 ms so settles interleave with later reserves even on a busy machine
        // (with every reserve landing before any settle, only cap/worst could be granted).
        await sleep(Math.random() * 200);
        const sentAt = ++clock;
        const outcome = await ledger.reserve(scope, { amountMicroUsd: worst, capMicroUsd: cap, ttlMs: TTL });
        const recvAt = ++clock;
        if (!outcome.ok) {
          refusals.push({ sentAt, recvAt, spent: outcome.spentMicroUsd, reserved: outcome.reservedMicroUsd });
          return;
        }
        const grant: Grant = { sentAt, settleDoneAt: Infinity, cost: 0 };
        grants.push(grant);
        await sleep(Math.random() * 10);
        grant.cost = Math.round(worst * (0.1 + 0.9 * Math.random()));
        await ledger.settle(scope, { id: outcome.reservation.id, month: outcome.reservation.month, costMicroUsd: grant.cost, capMicroUsd: cap, alertThresholds: [] });
        grant.settleDoneAt = ++clock;
        settledSum += grant.cost;
      }),
    );
    const read = await ledgers[0]!.read(scope);
    t.equal(read.spentMicroUsd, settledSum, 'ledger = sum of settled costs');
    t.ok(read.spentMicroUsd <= cap, `month spend ${read.spentMicroUsd} ≤ cap`);
    t.equal(read.reservedMicroUsd, 0);
    t.equal(read.openReservations, 0);
    t.ok(grants.length > 50, `random settles let more than cap/worst through (${grants.length} granted)`);
    let falseRefusals = 0;
    for (const r of refusals) {
      if (r.spent + r.reserved + worst <= cap) falseRefusals++;
      // Upper bound of what the ledger can have held when deciding: a grant counts only if it was
      // sent before this refusal came back, at its settled cost if that settle finished before the
      // refusal was sent, else at its full reservation.
      let bound = 0;
      for (const g of grants) if (g.sentAt < r.recvAt) bound += g.settleDoneAt < r.sentAt ? g.cost : worst;
      if (bound + worst <= cap) falseRefusals++;
    }
    t.equal(falseRefusals, 0, `every one of ${refusals.length} refusals was necessary`);
  });

  t.test(`${backend.name}: reservations expire on their own, renewals keep them`, async (t) => {
    const ledger = await backend.ledger({});
    const scope = freshScope();
    const lapsing = await ledger.reserve(scope, { amountMicroUsd: 300, capMicroUsd: 1000, ttlMs: 1000 });
    const renewed = await ledger.reserve(scope, { amountMicroUsd: 400, capMicroUsd: 1000, ttlMs: 1000 });
    t.ok(lapsing.ok && renewed.ok);
    if (!lapsing.ok || !renewed.ok) return;
    await sleep(300);
    t.equal(await ledger.renew(scope, renewed.reservation, 4000), true);
    await sleep(1000);
    const read = await ledger.read(scope);
    t.equal(read.reservedMicroUsd, 400, 'the unrenewed one was released, the renewed one holds');
    t.equal(read.openReservations, 1);
    const late = await ledger.settle(scope, { id: lapsing.reservation.id, month: lapsing.reservation.month, costMicroUsd: 250 });
    t.equal(late.spentMicroUsd, 250, 'a settle after expiry still charges the real cost');
    await ledger.settle(scope, { id: renewed.reservation.id, month: renewed.reservation.month, costMicroUsd: 0 });
    t.equal(await ledger.renew(scope, renewed.reservation, 1000), false, 'a settled reservation cannot be renewed');
    t.same((await ledger.read(scope)).reservedMicroUsd, 0);
  });

  t.test(`${backend.name}: spend per assistant (x-workjet-assistant), with thresholds still counted`, async (t) => {
    const ledger = await backend.ledger({});
    const scope = freshScope();
    const month = ledger.currentMonth();
    const r = await ledger.reserve(scope, { amountMicroUsd: 500_000, capMicroUsd: 1_000_000, ttlMs: TTL });
    if (!r.ok) return t.fail('reserve');
    const first = await ledger.settle(scope, { id: r.reservation.id, month, costMicroUsd: 600_000, user: 'alice', assistant: 'nightly-digest', capMicroUsd: 1_000_000, alertThresholds: [50] });
    t.same(first.alerts.map((a) => a.threshold), [50], 'the assistant argument does not shift the thresholds');
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 1_000, user: 'alice', assistant: 'nightly-digest' });
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 2_000, user: 'alice' });
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 3_000, user: 'bob', assistant: 'triage' });
    const read = await ledger.read(scope);
    t.same(read.byAssistant, { 'nightly-digest': 601_000, triage: 3_000 });
    t.same(read.byUser, { alice: 603_000, bob: 3_000 });
    t.same((await ledger.read(freshScope())).byAssistant, {}, 'per tenant');
  });

  t.test(`${backend.name}: spend per tier asked for (provider/model for a direct model), with thresholds still counted`, async (t) => {
    const ledger = await backend.ledger({});
    const scope = freshScope();
    const month = ledger.currentMonth();
    const r = await ledger.reserve(scope, { amountMicroUsd: 500_000, capMicroUsd: 1_000_000, ttlMs: TTL });
    if (!r.ok) return t.fail('reserve');
    const first = await ledger.settle(scope, { id: r.reservation.id, month, costMicroUsd: 600_000, user: 'alice', assistant: 'nightly-digest', tier: 'fast', capMicroUsd: 1_000_000, alertThresholds: [50] });
    t.same(first.alerts.map((a) => a.threshold), [50], 'the tier argument does not shift the thresholds');
    const again = await ledger.settle(scope, { id: r.reservation.id, month, costMicroUsd: 600_000, user: 'alice', tier: 'fast' });
    t.same(again.alerts, [], 'a duplicate settle');
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 1_000, user: 'alice', tier: 'fast' });
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 2_000, user: 'bob', tier: 'openai/gpt-4o-mini' });
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 3_000, user: 'bob' });
    await ledger.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 0, user: 'bob', tier: 'smart' });
    const read = await ledger.read(scope);
    t.same(read.byTier, { fast: 601_000, 'openai/gpt-4o-mini': 2_000 }, 'duplicates and zero-cost settles are not counted');
    t.same(read.byAssistant, { 'nightly-digest': 600_000 });
    t.same(read.byUser, { alice: 601_000, bob: 5_000 });
    t.equal(read.spentMicroUsd, 606_000);
    t.same((await ledger.read(freshScope())).byTier, {}, 'per tenant');
    t.same((await ledger.read(scope, '2000-01')).byTier, {}, 'per month');
  });

  t.test(`${backend.name}: alerts fire once per threshold per month, even under concurrency`, async (t) => {
    const ledgers = [await backend.ledger({ instance: 0 }), await backend.ledger({ instance: 1 })];
    const scope = freshScope();
    const cap = 1_000_000;
    const month = ledgers[0]!.currentMonth();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        ledgers[i % 2]!.settle(scope, { id: randomBytes(8).toString('hex'), month, costMicroUsd: 5_000, capMicroUsd: cap, alertThresholds: [50, 80, 100] }),
      ),
    );
    const alerts = outcomes.flatMap((o) => o.alerts);
    t.same(alerts.map((a) => a.threshold).sort((a, b) => a - b), [50, 80, 100], 'each threshold exactly once');
    const fifty = alerts.find((a) => a.threshold === 50)!;
    t.ok(fifty.spentUsd >= 0.5 && fifty.spentUsd < 0.51, `raised by the charge that crossed it (${fifty.spentUsd})`);
    t.equal(fifty.capUsd, 1);
    t.equal(fifty.month, month);
    const more = await ledgers[0]!.settle(scope, { id: 'x', month, costMicroUsd: 1, capMicroUsd: cap, alertThresholds: [50, 80, 100] });
    t.same(more.alerts, [], 'not again this month');
  });

  t.test(`${backend.name}: months roll over at 00:00 UTC on the 1st (injected clock)`, async (t) => {
    let now = Date.parse('2026-11-30T23:59:59.900Z');
    const ledger = await backend.ledger({ clock: () => now });
    const scope = freshScope();
    const cap = 100_000;
    t.equal(ledger.currentMonth(), '2026-11');
    const spent = await ledger.reserve(scope, { amountMicroUsd: 60_000, capMicroUsd: cap, ttlMs: TTL });
    const straddling = await ledger.reserve(scope, { amountMicroUsd: 30_000, capMicroUsd: cap, ttlMs: TTL });
    if (!spent.ok || !straddling.ok) return t.fail('reserve');
    await ledger.settle(scope, { id: spent.reservation.id, month: spent.reservation.month, costMicroUsd: 60_000, capMicroUsd: cap, alertThresholds: [50] });
    t.equal((await ledger.reserve(scope, { amountMicroUsd: 20_000, capMicroUsd: cap, ttlMs: TTL })).ok, false, 'November is nearly full');
    now = Date.parse('2026-12-01T00:00:00.100Z');
    t.equal(ledger.currentMonth(), '2026-12');
    const dec = await ledger.read(scope);
    t.equal(dec.month, '2026-12');
    t.equal(dec.spentMicroUsd, 0, 'December starts at $0');
    const fresh = await ledger.reserve(scope, { amountMicroUsd: 90_000, capMicroUsd: cap, ttlMs: TTL });
    t.ok(fresh.ok, 'the whole cap is available again');
    if (fresh.ok) t.equal(fresh.reservation.month, '2026-12');
    const settled = await ledger.settle(scope, { id: straddling.reservation.id, month: straddling.reservation.month, costMicroUsd: 25_000, capMicroUsd: cap, alertThresholds: [50] });
    t.same(settled.alerts, [], 'November\'s 50% alert was already raised');
    t.equal((await ledger.read(scope, '2026-11')).spentMicroUsd, 85_000, 'a request is charged to the month it was admitted in');
    t.equal((await ledger.read(scope, '2026-12')).spentMicroUsd, 0);
    const decAlert = await ledger.settle(scope, { id: 'dec-1', month: '2026-12', costMicroUsd: 50_000, capMicroUsd: cap, alertThresholds: [50] });
    t.same(decAlert.alerts.map((a) => a.month), ['2026-12'], 'alerts are per month');
  });
}
