/**
 * The gateway configurations the bench measures. Every variant is the default pipeline (identify →
 * parse → authorize → dlp → limit → budget → route → forward, settle, audit with the durable spool)
 * plus exactly one change, so the difference between a variant's row and the `gateway` row is the
 * cost of that one feature; `gw-all` turns every stage on at once.
 */

/** What every variant shares: where the fake provider is, the key the load uses, temp dirs. */
export interface BenchEnvironment {
  /** The fake provider's OpenAI base URL (ends in `/v1`). */
  readonly upstreamBaseUrl: string;
  /** SHA-256 hex of the `wj_` key the load sends. */
  readonly apiKeySha256: string;
  /** Absolute path of the built policy bundle. */
  readonly policyBundle: string;
  /** Audit/state directory of this variant (a fresh temp dir). */
  readonly dataDir: string;
  /** `redis://127.0.0.1:<port>` when a Redis server was started for the bench. */
  readonly redisUrl?: string;
  /** Every built-in DLP detector name. */
  readonly dlpDetectors: readonly string[];
}

export interface GatewayVariant {
  readonly name: string;
  readonly description: string;
  readonly needsRedis: boolean;
  /** A config object in the YAML file's shape. */
  config(env: BenchEnvironment): Record<string, unknown>;
}

export const BENCH_TENANT = 'bench';
export const BENCH_TIER = 'fast';
export const BENCH_MODEL = 'gpt-4o-mini';

// High enough never to reject during a run, so the row measures the cost of checking, not of 429s.
const GENEROUS_LIMITS = { perUser: { requestsPerMinute: 1_000_000_000, tokensPerMinute: 1_000_000_000_000 } };
const GENEROUS_BUDGET = { monthlyUsd: 1_000_000_000 };

function everyDetector(env: BenchEnvironment): Record<string, unknown> {
  return { detectors: Object.fromEntries(env.dlpDetectors.map((d) => [d, 'redact'])) };
}

function tenant(env: BenchEnvironment, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id: BENCH_TENANT,
    plan: 'team',
    providers: { openai: { apiKey: 'sk-bench-upstream-key', baseUrl: env.upstreamBaseUrl } },
    tiers: { [BENCH_TIER]: { provider: 'openai', model: BENCH_MODEL } },
    users: [{ id: 'bench-user', role: 'member' }],
    apiKeys: [{ id: 'bench-key', user: 'bench-user', sha256: env.apiKeySha256 }],
    ...extra,
  };
}

function base(env: BenchEnvironment, options: { audit?: Record<string, unknown>; tenant?: Record<string, unknown>; redis?: boolean } = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {
    server: { host: '127.0.0.1', port: 0 },
    policy: { bundle: env.policyBundle },
    audit: { sink: 'file', dir: env.dataDir, durability: 'spool', ...options.audit },
    logging: { level: 'info' },
    pricing: { [BENCH_MODEL]: { input: 0.15, output: 0.6 } },
    tenants: [tenant(env, options.tenant ?? {})],
  };
  if (options.redis) {
    if (!env.redisUrl) throw new Error('this variant needs Redis but none was started');
    config['redis'] = { url: env.redisUrl, failMode: 'closed' };
  }
  return config;
}

export const GATEWAY_VARIANTS: readonly GatewayVariant[] = [
  {
    name: 'gateway',
    description: 'full pipeline, default config: policy (WASM), durable audit (fsync spool, group commit)',
    needsRedis: false,
    config: (env) => base(env),
  },
  {
    name: 'gw-audit-async',
    description: 'as gateway, audit.durability: async (record written in the background)',
    needsRedis: false,
    config: (env) => base(env, { audit: { durability: 'async' } }),
  },
  {
    name: 'gw-limits-embedded',
    description: 'as gateway + per-user rate limits (in process) + monthly budget (SQLite)',
    needsRedis: false,
    config: (env) => base(env, { tenant: { rateLimits: GENEROUS_LIMITS, budget: GENEROUS_BUDGET } }),
  },
  {
    name: 'gw-limits-redis',
    description: 'as gateway + per-user rate limits + monthly budget, both in Redis (redis.url set)',
    needsRedis: true,
    config: (env) => base(env, { tenant: { rateLimits: GENEROUS_LIMITS, budget: GENEROUS_BUDGET }, redis: true }),
  },
  {
    name: 'gw-dlp-all',
    description: 'as gateway + every built-in DLP detector on, action redact',
    needsRedis: false,
    config: (env) => base(env, { tenant: { dlp: everyDetector(env) } }),
  },
  {
    // Not a one-change variant: the configuration issue 14's c=16 and CPU targets are judged on,
    // and the one the memory cell (`npm run bench:streams`) holds 1,000 streams through.
    name: 'gw-all',
    description: 'every stage on: policy, every built-in DLP detector (redact), per-user rate limits + monthly budget (in process, SQLite), durable audit',
    needsRedis: false,
    config: (env) => base(env, { tenant: { dlp: everyDetector(env), rateLimits: GENEROUS_LIMITS, budget: GENEROUS_BUDGET } }),
  },
  {
    name: 'gw-all-batched',
    description: 'as gw-all, audit.layout: batched (one NDJSON object per tenant per second instead of a file per record)',
    needsRedis: false,
    config: (env) => base(env, { audit: { layout: 'batched' }, tenant: { dlp: everyDetector(env), rateLimits: GENEROUS_LIMITS, budget: GENEROUS_BUDGET } }),
  },
];
