import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';
import { SqliteSpendLedger } from './sqlite-spend-ledger.js';
import { RedisSpendLedger } from './redis-spend-ledger.js';
import { createRedisClient, closeRedis, redisTargetOf, waitForRedis } from './redis-connection.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { SpendLedger } from './spend-ledger.js';
import type { Clock } from './month.js';

export interface LimitStores {
  readonly rateLimits: RateLimitStore;
  readonly ledger: SpendLedger;
  readonly backend: 'redis' | 'embedded';
  /** Resolves when the backing store answers (at once for the embedded one); rejects after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  /** True while the store can answer (for `/readyz`). */
  isHealthy(): boolean;
  close(): Promise<void>;
}

/** Where the embedded spend ledger lives: `<audit.dir>/state/spend.db`. */
export function spendDbPath(config: GatewayConfig): string {
  return join(resolve(config.audit.dir), 'state', 'spend.db');
}

/**
 * Builds the rate-limit store and the spend ledger for a config: both in Redis when `redis` is
 * configured (shared by every instance), else in-process counters and a SQLite ledger file.
 * `windowMs` and `clock` exist for tests (short windows, a clock that crosses a month).
 */
export function createLimitStores(config: GatewayConfig, logger: Logger, options: { windowMs?: number; clock?: Clock } = {}): LimitStores {
  const log = logger.child({ component: 'limits' });
  if (config.redis) {
    const client = createRedisClient(redisTargetOf(config.redis), { commandTimeoutMs: config.redis.commandTimeoutMs, logger: log, name: 'workjet-limits' });
    const rateLimits = new RedisRateLimitStore(client, options.windowMs === undefined ? {} : { windowMs: options.windowMs });
    const ledger = new RedisSpendLedger(client, options.clock ? { clock: options.clock } : {});
    return {
      rateLimits,
      ledger,
      backend: 'redis',
      ready: (timeoutMs = 5000) => waitForRedis(client, timeoutMs),
      isHealthy: () => client.status === 'ready',
      async close() {
        await rateLimits.close();
        await ledger.close();
        await closeRedis(client);
      },
    };
  }
  const rateLimits = new MemoryRateLimitStore({ ...(options.windowMs === undefined ? {} : { windowMs: options.windowMs }), ...(options.clock ? { clock: options.clock } : {}) });
  const ledger = new SqliteSpendLedger({ file: spendDbPath(config), ...(options.clock ? { clock: options.clock } : {}) });
  return {
    rateLimits,
    ledger,
    backend: 'embedded',
    ready: async () => undefined,
    isHealthy: () => true,
    async close() {
      await rateLimits.close();
      await ledger.close();
    },
  };
}
