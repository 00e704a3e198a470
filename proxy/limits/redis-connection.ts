import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { sameSlot } from './hash-slot.js';

/** A single node or a Redis Cluster: the stores use only what both answer (scripts, TIME). */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one node (`url`) or the seed nodes of a cluster (`cluster`). */
export type RedisTarget = { readonly url: string; readonly cluster?: undefined } | { readonly cluster: readonly string[]; readonly url?: undefined };

/** Thrown (wrapped) when Redis cannot answer: the stages map it to their fail mode. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The target a `redis` config section names (the schema guarantees exactly one of the two). */
export function redisTargetOf(config: { readonly url?: string | undefined; readonly cluster?: readonly string[] | undefined }): RedisTarget {
  if (config.cluster !== undefined) return { cluster: config.cluster };
  if (config.url === undefined) throw new Error('redis: set url or cluster');
  return { url: config.url };
}

/**
 * An ioredis client tuned to fail fast instead of queueing: while Redis is unreachable every
 * command rejects at once (no offline queue, no resend of unanswered commands, a per-command
 * timeout), so requests get their fail-mode answer immediately rather than piling up; and it
 * reconnects every ≤ 500 ms, so service resumes well within 5 s of Redis returning, with no
 * restart. Unanswered writes are not resent because a resend could apply a reservation twice;
 * the scripts are written so that a lost reply errs towards counting, never towards losing.
 *
 * With `cluster` it is ioredis' `Cluster` client, which learns the slot map from the seed nodes
 * and follows MOVED/ASK redirects (a plain client cannot). Every script's keys share one
 * tenant's hash tag, so each call runs on one master.
 */
export function createRedisClient(target: string | RedisTarget, options: { commandTimeoutMs: number; logger: Logger; name: string }): RedisClient {
  const where: RedisTarget = typeof target === 'string' ? { url: target } : target;
  const nodeOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(1000, options.commandTimeoutMs),
    retryStrategy: (times: number) => Math.min(50 * times, 500),
    enableReadyCheck: true,
    connectionName: options.name,
  };
  const client: RedisClient =
    where.cluster !== undefined
      ? new Cluster(where.cluster.map((url) => url), {
          enableOfflineQueue: false,
          enableReadyCheck: true,
          // Reconnect to the cluster as a whole as often as a single node would.
          clusterRetryStrategy: (times: number) => Math.min(50 * times, 500),
          // A killed master's slots answer CLUSTERDOWN until a replica takes over (or it returns):
          // retry that briefly, within the command timeout, then fail to the fail mode.
          retryDelayOnClusterDown: 100,
          retryDelayOnFailover: 100,
          slotsRefreshTimeout: Math.max(1000, options.commandTimeoutMs),
          redisOptions: { maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false, commandTimeout: nodeOptions.commandTimeout, connectTimeout: nodeOptions.connectTimeout, connectionName: options.name },
        })
      : new Redis(where.url, nodeOptions);
  let lastLog = 0;
  client.on('error', (err: Error) => {
    // ioredis emits an error per failed reconnect attempt: log at most every 5 s.
    const now = Date.now();
    if (now - lastLog < 5000) return;
    lastLog = now;
    options.logger.warn({ err: { message: err.message }, store: options.name }, 'redis unavailable');
  });
  client.on('ready', () => options.logger.debug({ store: options.name, cluster: where.cluster !== undefined }, 'redis ready'));
  return client;
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export function waitForRedis(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new StoreUnavailableError(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** Closes a client without waiting on an unreachable server. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Lua scripts registered with `defineCommand`, so they run as EVALSHA and ioredis reloads them
 * when Redis answers NOSCRIPT. ioredis retries only once, and a `SCRIPT FLUSH` (or a restart)
 * can land between that retry's load and its run; so on a NOSCRIPT that still gets through we
 * send the script body itself with EVAL, which cannot answer NOSCRIPT. A client never sees it.
 */
export class LuaScripts<Name extends string> {
  readonly #client: RedisClient;
  readonly #lua: Record<Name, string>;
  readonly #firstConnect: Promise<void> | undefined;

  constructor(client: RedisClient, scripts: Record<Name, string>, options: { firstConnectTimeoutMs?: number } = {}) {
    this.#client = client;
    this.#lua = scripts;
    for (const [name, lua] of Object.entries(scripts) as [Name, string][]) client.defineCommand(name, { lua });
    // Requests that arrive while the gateway's first connection is still being made wait for it
    // (bounded); after that, an outage fails fast.
    if (client.status !== 'ready') {
      this.#firstConnect = waitForRedis(client, options.firstConnectTimeoutMs ?? 2000);
      this.#firstConnect.catch(() => undefined);
    }
  }

  /** Runs a script with `keys` (all in one tenant's hash slot) and `args`; Redis errors become StoreUnavailableError. */
  async run(name: Name, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const command = (this.#client as unknown as Record<string, ScriptCommand>)[name];
    if (!command) throw new Error(`script ${name} not defined`);
    // A bug, not an outage: on a cluster these keys would answer CROSSSLOT.
    if (!sameSlot(keys)) throw new Error(`script ${name}: keys span several cluster slots (${keys.join(', ')})`);
    if (this.#firstConnect && this.#client.status !== 'ready') await this.#firstConnect.catch(() => undefined);
    try {
      return await command.call(this.#client, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err)) throw unavailable(err);
      try {
        return await this.#client.eval(this.#lua[name], keys.length, ...keys, ...args);
      } catch (evalErr) {
        throw unavailable(evalErr);
      }
    }
  }
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.includes('NOSCRIPT');
}

function unavailable(err: unknown): StoreUnavailableError {
  const message = err instanceof Error ? err.message : String(err);
  return new StoreUnavailableError(`redis: ${message}`, { cause: err });
}
