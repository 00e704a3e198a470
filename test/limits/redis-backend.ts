import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { createRedisClient, closeRedis, waitForRedis, type RedisClient, type RedisTarget } from '../../proxy/limits/redis-connection.js';
import { RedisRateLimitStore } from '../../proxy/limits/redis-rate-limit-store.js';
import { RedisSpendLedger } from '../../proxy/limits/redis-spend-ledger.js';
import type { Clock } from '../../proxy/limits/month.js';
import type { Backend } from './store-contract.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * The contract suites' backend on a real Redis (one node or a cluster): one client per simulated
 * gateway instance, closed with the test. `clientFor` lets a suite inspect what the contract left.
 */
export function redisBackend<C extends RedisClient = Redis>(t: Teardown, name: string, target: string | RedisTarget, readyTimeoutMs: number): { backend: Backend; clientFor(instance: number): Promise<C> } {
  const logger = pino({ level: 'silent' });
  const clients = new Map<number, C>();
  const closers: (() => Promise<void>)[] = [];
  async function clientFor(instance: number): Promise<C> {
    let client = clients.get(instance);
    if (!client) {
      client = createRedisClient(target, { commandTimeoutMs: 2000, logger, name: `test-${instance}` }) as C;
      clients.set(instance, client);
      await waitForRedis(client, readyTimeoutMs);
    }
    return client;
  }
  t.teardown(async () => {
    for (const close of closers) await close();
    for (const client of clients.values()) await closeRedis(client);
  });
  const backend: Backend = {
    name,
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
  return { backend, clientFor };
}
