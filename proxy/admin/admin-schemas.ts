import { z } from 'zod';
import RE2 from 're2';
import { DLP_ACTIONS, PROVIDER_TYPES, ROLES } from '../config/schema.js';

/**
 * The admin API's bodies and answers as Zod schemas: the same objects validate every request
 * body and generate `/admin/v1/openapi.json` (admin-openapi.ts), so the document cannot drift
 * from what the gateway accepts. Bodies are strict: an unknown field is a 400 naming it (a
 * typo such as `expires_at` must not be silently ignored). Patterns are fixed literals; no
 * tenant-supplied pattern reaches a JS regular expression (custom DLP patterns go to RE2).
 */

/** A fixed pattern run by RE2 (request bodies are tenant data); Zod only calls `test` and reads `source`. */
function re2(source: string): RegExp {
  return new RE2(source) as unknown as RegExp;
}

/** Every named schema of the admin API: the OpenAPI document's `components.schemas`. */
export const adminSchemas = z.registry<{ id: string; description?: string }>();

const identifier = z.string().min(1).max(128).regex(re2('^[A-Za-z0-9][A-Za-z0-9._:@-]*$'), 'letters, digits and . _ : @ - only');
const role = z.enum(ROLES);
const dlpAction = z.enum(DLP_ACTIONS);
const source = z.enum(['config', 'api']).describe('`config`: declared in the YAML file, read-only over the API (409 managed_by_config). `api`: created over the API.');
const isoTime = z.iso.datetime({ offset: true });

// ---- keys
export const createKeyBody = z
  .strictObject({
    user: identifier.describe('An existing user of the tenant.'),
    name: z.string().min(1).max(128).optional(),
    expiresAt: isoTime.optional().describe('ISO-8601 with offset, in the future.'),
  })
  .register(adminSchemas, { id: 'CreateKeyBody' });

export const keyView = z
  .object({ id: z.string(), user: z.string(), name: z.string().nullable(), createdAt: isoTime, expiresAt: isoTime.nullable(), revoked: z.boolean(), source })
  .register(adminSchemas, { id: 'Key' });

export const createdKeyView = z
  .object({ id: z.string(), key: z.string().describe('`wj_…`: shown in this answer only; only its SHA-256 is stored.'), user: z.string(), name: z.string().nullable(), createdAt: isoTime, expiresAt: isoTime.nullable() })
  .register(adminSchemas, { id: 'CreatedKey' });

// ---- users
export const createUserBody = z.strictObject({ id: identifier, role }).register(adminSchemas, { id: 'CreateUserBody' });
export const patchUserBody = z.strictObject({ role }).register(adminSchemas, { id: 'PatchUserBody' });
export const userView = z.object({ id: z.string(), role, source }).register(adminSchemas, { id: 'User' });

// ---- routing
export const putProviderBody = z
  .strictObject({
    type: z.enum(PROVIDER_TYPES),
    baseUrl: z.string().min(1).max(2048).optional().describe("Must match `upstream.allowedBaseUrls` or pass the SSRF guard (no loopback, private, link-local, CGNAT or metadata address)."),
    apiKey: z.string().min(1).max(4096).optional().describe('Write-only: stored encrypted (AES-256-GCM under WORKJET_MASTER_KEY), never returned.'),
  })
  .register(adminSchemas, { id: 'PutProviderBody' });

export const providerView = z.object({ type: z.enum(PROVIDER_TYPES), baseUrl: z.string().nullable(), apiKeySet: z.boolean(), source }).register(adminSchemas, { id: 'Provider' });

const fallback = z.union([identifier, z.strictObject({ provider: identifier, model: z.string().min(1).max(256) })]);

export const putTierBody = z
  .strictObject({
    provider: identifier,
    model: z.string().min(1).max(256),
    fallbacks: z.array(fallback).max(8).optional().describe('Tier names or `{provider, model}`, tried in order on 429/5xx/timeout.'),
    tags: z.array(z.string().min(1).max(64)).max(32).optional(),
  })
  .register(adminSchemas, { id: 'PutTierBody' });

export const tierView = z.object({ provider: z.string(), model: z.string(), fallbacks: z.array(fallback), tags: z.array(z.string()), source }).register(adminSchemas, { id: 'Tier' });

export const routingView = z.object({ providers: z.record(z.string(), providerView), tiers: z.record(z.string(), tierView) }).register(adminSchemas, { id: 'Routing' });

// ---- dlp
export const MAX_CUSTOM_PATTERNS = 64;
export const MAX_PATTERN_LENGTH = 1024;

const customPattern = z.strictObject({
  name: z.string().regex(re2('^[a-z][a-z0-9_]{0,62}$'), 'lowercase letters, digits and _'),
  pattern: z.string().min(1).max(MAX_PATTERN_LENGTH).describe('An RE2 pattern; compiled and size-checked before it is saved.'),
  action: dlpAction,
});

export const putDlpBody = z
  .strictObject({
    detectors: z.record(z.string().min(1).max(64), dlpAction).describe('Built-in detector name → action.'),
    customPatterns: z.array(customPattern).max(MAX_CUSTOM_PATTERNS).default([]),
    responses: z.enum(['off', 'redact', 'block']).optional().describe('Response-side scanning; absent keeps the current setting.'),
  })
  .register(adminSchemas, { id: 'PutDlpBody' });

export const dlpView = z
  .object({ detectors: z.record(z.string(), dlpAction), customPatterns: z.array(customPattern), responses: z.enum(['off', 'redact', 'block']), source })
  .register(adminSchemas, { id: 'Dlp' });

// ---- limits
const windowLimit = z.strictObject({ requestsPerMinute: z.number().int().positive().optional(), tokensPerMinute: z.number().int().positive().optional() });
export const putLimitsBody = z
  .strictObject({ perUser: windowLimit.optional(), perKey: windowLimit.optional(), perTenant: windowLimit.optional() })
  .register(adminSchemas, { id: 'RateLimits', description: "The tenant's `rateLimits` object as in the YAML." });
export const limitsView = putLimitsBody.extend({ source }).register(adminSchemas, { id: 'Limits' });

// ---- budget
export const putBudgetBody = z
  .strictObject({
    monthlyUsd: z.number().nonnegative().max(1e9),
    alertThresholds: z.array(z.number().positive().max(100)).max(16).optional().describe('Percent of the cap that raise a budget.alert audit event once a month.'),
  })
  .register(adminSchemas, { id: 'PutBudgetBody' });

export const budgetView = z
  .object({
    monthlyUsd: z.number().nullable().describe('`null`: no cap.'),
    alertThresholds: z.array(z.number()),
    month: z.string().describe('YYYY-MM (UTC)'),
    spentUsd: z.number().describe('Month-to-date spend.'),
    reservedUsd: z.number().describe('Held by requests in flight.'),
    source,
  })
  .register(adminSchemas, { id: 'Budget' });

// ---- operator
export const createTenantBody = z
  .strictObject({
    id: z.string().regex(re2('^[a-z0-9][a-z0-9-]{0,62}$'), 'lowercase letters, digits and -'),
    plan: z.string().min(1).max(64).default('team'),
    owner: identifier.describe("The first owner's user id."),
  })
  .register(adminSchemas, { id: 'CreateTenantBody' });

export const createdTenantView = z.object({ id: z.string(), owner: z.string(), key: z.string().describe("The owner's first key, shown once.") }).register(adminSchemas, { id: 'CreatedTenant' });
export const tenantView = z.object({ id: z.string(), plan: z.string(), disabled: z.boolean(), source, createdAt: isoTime }).register(adminSchemas, { id: 'Tenant' });

export const errorView = z
  .object({ error: z.object({ message: z.string(), type: z.string(), code: z.string(), param: z.string().nullable() }) })
  .register(adminSchemas, { id: 'Error' });
