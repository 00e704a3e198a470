import t from 'tap';
import { pino } from 'pino';
import { startRedisCluster } from '../helpers/redis-cluster.js';
import { createRedisClient, closeRedis, waitForRedis, type RedisClient } from '../../proxy/limits/redis-connection.js';
import { hashSlot } from '../../proxy/limits/hash-slot.js';
import { RedisRateLimitStore } from '../../proxy/limits/redis-rate-limit-store.js';
import { RedisSpendLedger } from '../../proxy/limits/redis-spend-ledger.js';
import type { Clock } from '../../proxy/limits/month.js';
import { rateLimitContract, type Backend } from './store-contract.js';
import { spendLedgerContract } from './ledger-contract.js';
import { stageContract } from './stage-contract.js';

// The same contract suites as redis-contract.test.ts, on a real 3-master Redis Cluster reached
// through ioredis' Cluster client: every script must find all its keys on one master.
const cluster = await startRedisCluster(t);
const logger = pino({ level: 'silent' });
const clients = new Map<number, RedisClient>();
const closers: (() => Promise<void>)[] = [];

/** One cluster client per simulated gateway instance. */
async function clientFor(instance: number): Promise<RedisClient> {
  let client = clients.get(instance);
  if (!client) {
    client = createRedisClient({ cluster: cluster.urls }, { commandTimeoutMs: 2000, logger, name: `test-${instance}` });
    clients.set(instance, client);
    await waitForRedis(client, 10_000);
  }
  return client;
}

t.teardown(async () => {
  for (const close of closers) await close();
  for (const client of clients.values()) await closeRedis(client);
});

const backend: Backend = {
  name: 'redis-cluster',
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

t.test('redis cluster: the contract\'s keys are spread over the masters, each with a TTL and a tenant hash tag', async (t) => {
  const client = await clientFor(0);
  t.ok('nodes' in client, 'the client is a Cluster client');
  if (!('nodes' in client)) return;
  const perMaster: number[] = [];
  const keys: string[] = [];
  const noTtl: string[] = [];
  for (const node of client.nodes('master')) {
    let cursor = '0';
    let count = 0;
    do {
      const [next, batch] = await node.scan(cursor, 'COUNT', 500);
      cursor = next;
      count += batch.length;
      for (const key of batch) {
        keys.push(key);
        if ((await node.pttl(key)) < 0) noTtl.push(key);
      }
    } while (cursor !== '0');
    perMaster.push(count);
  }
  t.same(noTtl, [], 'no key without a TTL');
  t.ok(keys.length > 20, `the contract left ${keys.length} keys to check`);
  t.equal(perMaster.filter((n) => n > 0).length, 3, `keys on all three masters (${perMaster.join(' / ')}), so cross-node routing was exercised`);
  t.same(keys.filter((k) => !k.startsWith('wj:{')), [], 'every key is wj:{<tenant>}:…');
});

t.test('hash slots: the tag alone decides the slot (known CRC16 values)', async (t) => {
  t.equal(hashSlot('123456789'), 12739, 'CRC16-XMODEM("123456789") = 0x31C3');
  t.equal(hashSlot('foo'), 12182);
  t.equal(hashSlot('wj:{acme}:rl:user:alice:req'), hashSlot('wj:{acme}:spend:2026-12'), 'one tenant, one slot');
  t.equal(hashSlot('{}x'), hashSlot('{}x'), 'an empty tag hashes the whole key');
});
