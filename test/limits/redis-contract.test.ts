import t from 'tap';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startRedisServer } from '../helpers/redis-server.js';
import { createRedisClient, closeRedis, waitForRedis } from '../../proxy/limits/redis-connection.js';
import { RedisRateLimitStore } from '../../proxy/limits/redis-rate-limit-store.js';
import { RedisSpendLedger } from '../../proxy/limits/redis-spend-ledger.js';
import type { Clock } from '../../proxy/limits/month.js';
import { rateLimitContract, type Backend } from './store-contract.js';
import { spendLedgerContract } from './ledger-contract.js';
import { stageContract } from './stage-contract.js';

const redis = await startRedisServer(t);
const logger = pino({ level: 'silent' });
const clients = new Map<number, Redis>();
const closers: (() => Promise<void>)[] = [];

/** One ioredis connection per simulated gateway instance. */
async function clientFor(instance: number): Promise<Redis> {
  let client = clients.get(instance);
  if (!client) {
    client = createRedisClient(redis.url, { commandTimeoutMs: 2000, logger, name: `test-${instance}` });
    clients.set(instance, client);
    await waitForRedis(client, 5000);
  }
  return client;
}

t.teardown(async () => {
  for (const close of closers) await close();
  for (const client of clients.values()) await closeRedis(client);
});

const backend: Backend = {
  name: 'redis',
  sharedAcrossInstances: true,
  async rateLimits(options: { windowMs?: number; instance?: number }) {
    return new RedisRateLimitStore(await clientFor(options.instance ?? 0), options.windowMs === undefined ? {} : { windowMs: options.windowMs });
  },
  async ledger(options: { clock?: Clock; instance?: number }) {
    const ledger = new RedisSpendLedger(await clientFor(options.instance ?? 0), options.clock ? { clock: options.clock } : {});
    closers.push(() => ledger.close());
    return ledger;
  },
};

rateLimitContract(backend);
spendLedgerContract(backend);
stageContract(backend);

t.test('redis: every key the contract left behind has a TTL (SCAN + PTTL), and keys are hash-tagged', async (t) => {
  const client = await clientFor(0);
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  t.ok(keys.length > 20, `the contract left ${keys.length} keys to check`);
  const noTtl: string[] = [];
  for (const key of keys) if ((await client.pttl(key)) < 0) noTtl.push(key);
  t.same(noTtl, [], 'no key without a TTL');
  const untagged = keys.filter((k) => !k.startsWith('wj:{'));
  t.same(untagged, [], 'every key is wj:{<tenant>}:…');
});

t.test('redis: months follow the server clock (offset measured with TIME)', async (t) => {
  const ledger = await backend.ledger({});
  const [sec] = await (await clientFor(0)).time();
  const month = new Date(Number(sec) * 1000).toISOString().slice(0, 7);
  t.equal(ledger.currentMonth(), month);
});
