import t from 'tap';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startRedisServer } from '../helpers/redis-server.js';
import { createRedisClient, closeRedis, waitForRedis, StoreUnavailableError } from '../../proxy/limits/redis-connection.js';
import { RedisRateLimitStore } from '../../proxy/limits/redis-rate-limit-store.js';
import { RedisSpendLedger } from '../../proxy/limits/redis-spend-ledger.js';
import { freshScope, sleep } from './store-contract.js';

const redis = await startRedisServer(t);
const logger = pino({ level: 'silent' });

async function connect(name: string): Promise<Redis> {
  const client = createRedisClient(redis.url, { commandTimeoutMs: 1000, logger, name });
  t.teardown(() => closeRedis(client));
  await waitForRedis(client, 5000);
  if (!(client instanceof Redis)) throw new Error('expected a single-node client for a redis:// URL');
  return client;
}

const clients = [await connect('a'), await connect('b')];
const stores = clients.map((c) => new RedisRateLimitStore(c));
const ledgers = clients.map((c) => new RedisSpendLedger(c));
t.teardown(async () => {
  for (const l of ledgers) await l.close();
});

async function evalCalls(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  const line = info.split('\n').find((l) => l.startsWith('cmdstat_eval:'));
  const match = line ? /calls=(\d+)/.exec(line) : null;
  return match ? Number(match[1]) : 0;
}

/** One request's worth of store traffic: admit, reserve, settle. */
async function oneRequest(i: number, scope: ReturnType<typeof freshScope>): Promise<void> {
  const k = i % 2;
  const store = stores[k] as RedisRateLimitStore;
  const ledger = ledgers[k] as RedisSpendLedger;
  const admitted = await store.admit(scope, { rules: [{ subject: { kind: 'user', id: `u${i % 7}` }, requests: 1_000_000, tokens: 1_000_000_000 }], tokens: 10 });
  if (admitted.handle) await store.correctTokens(scope, admitted.handle, 7);
  const r = await ledger.reserve(scope, { amountMicroUsd: 100, capMicroUsd: 1_000_000_000, ttlMs: 60_000 });
  if (r.ok) await ledger.settle(scope, { id: r.reservation.id, month: r.reservation.month, costMicroUsd: 60 });
}

t.test('SCRIPT FLUSH every few ms under load: no caller ever sees NOSCRIPT (or any error)', async (t) => {
  const scope = freshScope();
  const evalBefore = await evalCalls(clients[0] as Redis);
  let flushes = 0;
  let flushing = true;
  const flusher = (async () => {
    while (flushing) {
      await redis.flushScripts();
      flushes++;
      await sleep(3);
    }
  })();
  const errors: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < 3000) {
      const i = next++;
      await oneRequest(i, scope).catch((err: Error) => errors.push(err.message));
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  flushing = false;
  await flusher;
  t.ok(flushes >= 20, `scripts were flushed ${flushes} times during the load`);
  t.same(errors.slice(0, 5), [], 'no errors');
  t.equal(errors.length, 0);
  const evalAfter = await evalCalls(clients[0] as Redis);
  t.ok(evalAfter - evalBefore > 2, `scripts were reloaded with EVAL after flushes (${evalAfter - evalBefore} times)`);
  const spend = await (ledgers[0] as RedisSpendLedger).read(scope);
  t.equal(spend.spentMicroUsd, 3000 * 60, 'every settle landed exactly once');
  t.equal(spend.openReservations, 0);
});

t.test('Redis restart mid-load: fast failures while down, recovery within 5 s, no NOSCRIPT', async (t) => {
  const scope = freshScope();
  const outcomes: { at: number; ok: boolean; ms: number; error?: string }[] = [];
  let running = true;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const started = Date.now();
      try {
        await oneRequest(i++, scope);
        outcomes.push({ at: Date.now(), ok: true, ms: Date.now() - started });
      } catch (err) {
        outcomes.push({ at: Date.now(), ok: false, ms: Date.now() - started, error: `${(err as Error).name}: ${(err as Error).message}` });
        await sleep(5);
      }
    }
  };
  const workers = Array.from({ length: 10 }, worker);
  await sleep(300);
  const restartBegan = Date.now();
  await redis.restart();
  const backAt = Date.now();
  // Keep the load going until it has recovered (or for 8 s at most).
  while (Date.now() - backAt < 8000) {
    if (outcomes.some((o) => o.ok && o.at > backAt + 50)) break;
    await sleep(20);
  }
  await sleep(200);
  running = false;
  await Promise.all(workers);
  const failures = outcomes.filter((o) => !o.ok);
  t.ok(failures.length > 0, `the restart was felt (${failures.length} failed operations)`);
  t.ok(outcomes.filter((o) => o.ok && o.at < restartBegan).length > 10, 'requests succeeded before the restart');
  const firstBack = outcomes.find((o) => o.ok && o.at > backAt);
  t.ok(firstBack, 'requests succeed again');
  if (firstBack) t.ok(firstBack.at - backAt < 5000, `recovered ${firstBack.at - backAt} ms after Redis answered again`);
  t.same(failures.filter((f) => f.error?.includes('NOSCRIPT')), [], 'no NOSCRIPT reached a caller');
  t.ok(failures.every((f) => f.error?.startsWith('StoreUnavailableError')), 'failures are typed as store unavailability');
  const slowest = Math.max(...failures.map((f) => f.ms));
  t.ok(slowest < 2500, `failures are fast, nothing queues (slowest ${slowest} ms)`);
});

t.test('Redis down: commands fail fast with StoreUnavailableError; the ledger recovers without a restart', async (t) => {
  const scope = freshScope();
  await redis.stop();
  const started = Date.now();
  await t.rejects((stores[0] as RedisRateLimitStore).admit(scope, { rules: [{ subject: { kind: 'user', id: 'a' }, requests: 1 }], tokens: 0 }), StoreUnavailableError);
  await t.rejects((ledgers[0] as RedisSpendLedger).reserve(scope, { amountMicroUsd: 1, capMicroUsd: 10, ttlMs: 1000 }), StoreUnavailableError);
  t.ok(Date.now() - started < 1500, `both answered in ${Date.now() - started} ms`);
  await redis.restart();
  const back = Date.now();
  let ok = false;
  while (!ok && Date.now() - back < 5000) {
    ok = await (ledgers[0] as RedisSpendLedger).reserve(scope, { amountMicroUsd: 1, capMicroUsd: 10, ttlMs: 1000 }).then(
      (r) => r.ok,
      () => false,
    );
    if (!ok) await sleep(50);
  }
  t.ok(ok, `reserving works again ${Date.now() - back} ms after Redis returned`);
});

t.test('after restarts and flushes, every key still has a TTL', async (t) => {
  const client = clients[0] as Redis;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [nextCursor, batch] = await client.scan(cursor, 'COUNT', 1000);
    cursor = nextCursor;
    keys.push(...batch);
  } while (cursor !== '0');
  t.ok(keys.length > 0);
  const noTtl: string[] = [];
  for (const key of keys) if ((await client.pttl(key)) < 0) noTtl.push(key);
  t.same(noTtl, []);
});
