import { z } from 'zod';

/**
 * The gateway configuration schema. It is the single source of the config type, of the
 * validation at start (every error named by its path) and of `config/gateway.schema.json`.
 * Cross-references (a tier naming a provider, a key naming a user) are checked in
 * `validate-references.ts`, after this structural pass.
 */

export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
// A fixed, linear pattern written as a literal and kept in step with the string above (no tenant-supplied pattern ever reaches JS regular expressions).
const tenantId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must match ' + TENANT_ID_PATTERN);
const identifier = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'letters, digits and . _ : @ - only');
const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

export const ROLES = ['owner', 'admin', 'member'] as const;
export const DLP_ACTIONS = ['block', 'redact', 'log'] as const;
export const PROVIDER_TYPES = ['openai', 'anthropic', 'demo', 'gemini', 'azure_openai', 'openai_compatible'] as const;

const serverSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  maxBodyBytes: positiveInt.default(2 * 1024 * 1024),
  /** Deepest nesting of objects/arrays a JSON body may have; deeper → 400 `invalid_request` before parsing. */
  maxJsonDepth: positiveInt.max(1000).default(64),
  /** Time a client has to send the complete request headers (also bounds a new connection that sends nothing) → 408 and close. */
  headersTimeoutMs: positiveInt.default(10_000),
  /** Time a client has to send the whole request, headers and body → 408 and close. */
  requestTimeoutMs: positiveInt.default(60_000),
  /** How long an idle keep-alive connection stays open after a response (above common load balancers' 60 s). */
  keepAliveTimeoutMs: positiveInt.default(65_000),
  /** Open client connections at most; over it a new connection gets 503 and is closed. */
  maxConnections: positiveInt.default(1024),
  /** Open connections at most per client address (the socket's, not X-Forwarded-For); over it → 503 and close. As a sidecar every client is loopback, so the default equals maxConnections. */
  maxConnectionsPerClient: positiveInt.default(1024),
  /** DLP scan worker threads for large request bodies; 0 scans every body on the event loop. */
  dlpWorkers: z.number().int().min(0).max(16).default(1),
  /** Request bodies of at least this many bytes are DLP-scanned on a worker thread. */
  dlpOffloadBytes: positiveInt.default(64 * 1024),
});

const upstreamSchema = z.strictObject({
  connectTimeoutMs: positiveInt.default(10_000),
  firstByteTimeoutMs: positiveInt.default(120_000),
  idleTimeoutMs: positiveInt.default(120_000),
  /** Origins (scheme://host[:port]) or URL prefixes a provider base URL may point at. Empty = any configured in YAML. */
  allowedBaseUrls: z.array(z.string()).default([]),
  /** Per provider endpoint: skip it for `openMs` after `failureThreshold` consecutive failures, then probe once. */
  circuitBreaker: z.strictObject({ failureThreshold: positiveInt.default(5), openMs: positiveInt.default(30_000) }).default({ failureThreshold: 5, openMs: 30_000 }),
});

const redisSchema = z.strictObject({
  /** One Redis node. Exactly one of `url` and `cluster` is set. */
  url: z.string().min(1).optional(),
  /** Seed nodes of a Redis Cluster (`redis://host:port` each); the client discovers the rest and follows MOVED/ASK. */
  cluster: z.array(z.string().min(1)).min(1).optional(),
  failMode: z.enum(['closed', 'open']).default('closed'),
  commandTimeoutMs: positiveInt.default(1000),
}).refine((r) => (r.url === undefined) !== (r.cluster === undefined), { message: 'set exactly one of redis.url and redis.cluster' });

/** Overload protection (proxy/server/overload-guard.ts): past either cap a request gets 503 `overloaded` at once. */
const overloadSchema = z.strictObject({
  /** Model and admin requests in flight at once (streams count until they end). */
  maxInFlightRequests: positiveInt.default(4096),
  /** Mean event-loop delay over a sample interval above which new requests are refused; 0 turns the check off. */
  maxEventLoopDelayMs: nonNegative.default(1000),
  sampleIntervalMs: positiveInt.default(500),
  /** The `retry-after` seconds sent with 503 `overloaded`. */
  retryAfterSeconds: positiveInt.default(1),
});

const storeSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('sqlite'),
    /** The SQLite file; default `<audit.dir>/workjet.db` (so `./data/workjet.db`). `:memory:` for a throwaway store. */
    path: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('postgres'),
    /** The gateway's connection (a role that does not own the tables; see README "Running with PostgreSQL"). */
    url: z.string().min(1),
    /** The table owner's connection, for migrations. Absent: `url` owns the tables and the gateway switches to a derived non-owner role (`appRole`). */
    migrationUrl: z.string().min(1).optional(),
    /** The non-owner role the gateway acts as when only `url` is given. */
    appRole: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _').default('workjet_app'),
    poolSize: positiveInt.default(10),
  }),
]);

const policySchema = z.strictObject({
  bundle: z.string().default('policies/build/bundle.tar.gz'),
  /** Re-read the bundle file when it changes. */
  watchBundle: z.boolean().default(true),
  /** WASM memory cap in 64 KiB pages. */
  maxMemoryPages: positiveInt.default(1024),
});

const s3Schema = z.strictObject({
  bucket: z.string().min(1),
  endpoint: z.string().optional(),
  region: z.string().default('us-east-1'),
  prefix: z.string().default(''),
  forcePathStyle: z.boolean().default(false),
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
});

const auditSchema = z.strictObject({
  sink: z.enum(['file', 's3']).default('file'),
  dir: z.string().default('./data'),
  includeContent: z.boolean().default(false),
  /** `spool`: a record is fsync'd before its response ends. `async`: written in the background. */
  durability: z.enum(['spool', 'async']).default('spool'),
  /** What to do when the spool cannot be written: refuse requests (503) or serve unaudited. */
  onSpoolFailure: z.enum(['reject', 'serve']).default('reject'),
  /** Kept so existing configs load: a group commit now closes on the next tick, never after a sleep. */
  groupCommitMs: nonNegative.default(2),
  /**
   * `records`: one object per record at `audit/{tenant}/{yyyy}/{mm}/{dd}/{logId}.json` (the
   * contract's layout). `batched`: one NDJSON object per tenant, day and `batchFlushMs` window
   * (`{firstLogId}_{lastLogId}.ndjson` in the same folder), for high volume on S3 where each PUT costs.
   */
  layout: z.enum(['records', 'batched']).default('records'),
  /** Batch window of the batched layout: at most one object per tenant and day per window. */
  batchFlushMs: z.number().int().min(50).max(60_000).default(1000),
  s3: s3Schema.optional(),
});

const jwtSchema = z.strictObject({
  /** HS256 shared secret (use `${ENV}`). At least 32 characters: checked after interpolation, in validate-references.ts, so editors don't flag `${NAME}`. */
  secret: z.string().optional(),
  /** Path to a JWKS JSON file for asymmetric tokens. */
  jwksFile: z.string().optional(),
  issuer: z.string().optional(),
  audience: z.string().optional(),
  /** JWKS URL for asymmetric tokens (fetched on first use, cached, refetched on an unknown `kid`). */
  jwksUrl: z.string().url().optional(),
  /** How long a fetched JWKS is used before it is fetched again. */
  jwksCacheMaxAgeMs: positiveInt.default(600_000),
  /** A JWKS fetch slower than this fails (the token is refused). */
  jwksTimeoutMs: positiveInt.default(5_000),
  /** Longest accepted token lifetime, `exp - iat` (or `exp - now` without `iat`). `exp` is always required. */
  maxLifetimeSeconds: positiveInt.default(86_400),
  /** Clock skew tolerated on `exp`, `nbf` and `iat`. */
  clockSkewSeconds: z.number().int().min(0).max(300).default(30),
});

const opsSchema = z.strictObject({
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>` (use `${ENV}`); unset, it is open as before. */
  metricsToken: z.string().min(16).optional(),
});

const priceSchema = z.strictObject({ input: nonNegative, output: nonNegative });

const providerSchema = z.strictObject({
  /** Wire protocol; defaults to the provider's name when that is a known type. */
  type: z.enum(PROVIDER_TYPES).optional(),
  apiKey: z.string().optional(),
  baseUrl: z.string().url().optional(),
  anthropicVersion: z.string().default('2023-06-01'),
  timeoutMs: positiveInt.optional(),
});

const fallbackSchema = z.union([identifier, z.strictObject({ provider: identifier, model: z.string().min(1) })], {
  error: 'must be a tier name or { provider, model }',
});

const tierSchema = z.strictObject({
  provider: identifier,
  model: z.string().min(1),
  fallbacks: z.array(fallbackSchema).default([]),
  /** Free-form labels the policy can read (e.g. `cheap`). */
  tags: z.array(z.string()).default([]),
});

const userSchema = z.strictObject({ id: identifier, role: z.enum(ROLES) });

const apiKeySchema = z.strictObject({
  id: identifier,
  user: identifier,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  revoked: z.boolean().default(false),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

const customPatternSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _'),
  pattern: z.string().min(1),
  action: z.enum(DLP_ACTIONS),
});

const dlpSchema = z.strictObject({
  detectors: z.record(z.string(), z.enum(DLP_ACTIONS)).default({}),
  custom: z.array(customPatternSchema).default([]),
  responses: z.enum(['off', 'redact', 'block']).default('off'),
});

const windowLimitSchema = z.strictObject({
  requestsPerMinute: positiveInt.optional(),
  tokensPerMinute: positiveInt.optional(),
});

const rateLimitsSchema = z.strictObject({
  perUser: windowLimitSchema.optional(),
  perKey: windowLimitSchema.optional(),
  perTenant: windowLimitSchema.optional(),
});

const budgetSchema = z.strictObject({
  monthlyUsd: nonNegative,
  /** Percent thresholds that raise a `budget.alert` audit event once per month. */
  alertThresholds: z.array(z.number().positive().max(100)).default([50, 80, 100]),
  /** Worst-case output tokens when the request sets no `max_tokens`; sent upstream so the bound holds. */
  defaultMaxTokens: positiveInt.default(4096),
});

const tenantSchema = z.strictObject({
  id: tenantId,
  plan: z.string().default('team'),
  policy: z.strictObject({ mode: z.enum(['enforce', 'dry-run']).default('enforce') }).default({ mode: 'enforce' }),
  providers: z.record(identifier, providerSchema).default({}),
  tiers: z.record(identifier, tierSchema).default({}),
  users: z.array(userSchema).default([]),
  apiKeys: z.array(apiKeySchema).default([]),
  dlp: dlpSchema.default({ detectors: {}, custom: [], responses: 'off' }),
  rateLimits: rateLimitsSchema.default({}),
  budget: budgetSchema.optional(),
});

export const gatewayConfigSchema = z.strictObject({
  server: serverSchema.default({
    host: '127.0.0.1',
    port: 8080,
    maxBodyBytes: 2 * 1024 * 1024,
    maxJsonDepth: 64,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 65_000,
    maxConnections: 1024,
    maxConnectionsPerClient: 1024,
    dlpWorkers: 1,
    dlpOffloadBytes: 64 * 1024,
  }),
  upstream: upstreamSchema.default({ connectTimeoutMs: 10_000, firstByteTimeoutMs: 120_000, idleTimeoutMs: 120_000, allowedBaseUrls: [], circuitBreaker: { failureThreshold: 5, openMs: 30_000 } }),
  redis: redisSchema.optional(),
  /** Tenant data: embedded SQLite (default) or PostgreSQL shared by several instances. */
  store: storeSchema.default({ kind: 'sqlite' }),
  overload: overloadSchema.default({ maxInFlightRequests: 4096, maxEventLoopDelayMs: 1000, sampleIntervalMs: 500, retryAfterSeconds: 1 }),
  policy: policySchema.default({ bundle: 'policies/build/bundle.tar.gz', watchBundle: true, maxMemoryPages: 1024 }),
  audit: auditSchema.default({ sink: 'file', dir: './data', includeContent: false, durability: 'spool', onSpoolFailure: 'reject', groupCommitMs: 2, layout: 'records', batchFlushMs: 1000 }),
  auth: z.strictObject({ jwt: jwtSchema.optional() }).default({}),
  ops: opsSchema.default({}),
  logging: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).default({ level: 'info' }),
  /** The operator's door (`/operator/v1/tenants`): off unless `token` is set (use `${ENV}`). */
  operator: z.strictObject({ token: z.string().optional() }).optional(),
  /** Dedicated mode: the only tenant this instance serves. */
  dedicatedTenant: tenantId.optional(),
  pricing: z.record(z.string(), priceSchema).default({}),
  tenants: z.array(tenantSchema).min(1, 'at least one tenant is required'),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type TenantConfig = GatewayConfig['tenants'][number];
export type TierConfig = TenantConfig['tiers'][string];
export type ProviderConfig = TenantConfig['providers'][string];
export type DlpConfig = TenantConfig['dlp'];
export type RateLimitsConfig = TenantConfig['rateLimits'];
export type BudgetConfig = NonNullable<TenantConfig['budget']>;
export type AuditConfig = GatewayConfig['audit'];
export type StoreConfig = GatewayConfig['store'];
export type Role = (typeof ROLES)[number];
export type DlpAction = (typeof DLP_ACTIONS)[number];
export type ProviderType = (typeof PROVIDER_TYPES)[number];
