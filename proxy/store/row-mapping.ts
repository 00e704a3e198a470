import type { BudgetConfig, DlpConfig, ProviderType, RateLimitsConfig } from '../config/schema.js';
import type { ApiKeysTable, ProvidersTable, TenantSettingsTable, TenantsTable, TiersTable, UsersTable } from './db-types.js';
import type { ApiKeyRecord, BudgetRecord, DlpRecord, DlpSettings, Fallback, LimitsRecord, ProviderRecord, TenantRecord, TierRecord, UserRecord } from './entities.js';

/** Rows → entities (and settings ↔ JSON text). The one place that knows the column encoding. */

/** A tenants row as the API shows it. */
export function toTenant(row: TenantsTable): TenantRecord {
  return { id: row.id, plan: row.plan, disabled: row.disabled === 1, source: row.source, createdAt: row.created_at };
}

/** A users row as the API shows it. */
export function toUser(row: Pick<UsersTable, 'id' | 'role' | 'source'>): UserRecord {
  return { id: row.id, role: row.role, source: row.source };
}

/** An api_keys row without its hash. */
export function toApiKey(row: ApiKeysTable): ApiKeyRecord {
  return {
    id: row.id,
    user: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revoked: row.revoked === 1,
    createdBy: row.created_by,
    source: row.source,
  };
}

/** A providers row without its key (only whether one is set). */
export function toProvider(row: ProvidersTable): ProviderRecord {
  return { name: row.name, type: row.type as ProviderType, baseUrl: row.base_url, apiKeySet: row.api_key_enc !== null || row.key_in_config === 1, source: row.source };
}

/** A tiers row with its JSON lists parsed. */
export function toTier(row: TiersTable): TierRecord {
  return { name: row.name, provider: row.provider, model: row.model, fallbacks: JSON.parse(row.fallbacks) as Fallback[], tags: JSON.parse(row.tags) as string[], source: row.source };
}

/** The stored DLP JSON is the YAML shape (`custom`); the API shape says `customPatterns`. */
export function dlpFromRow(row: TenantSettingsTable): DlpConfig {
  return JSON.parse(row.dlp) as DlpConfig;
}

/** DLP settings in the API's shape. */
export function toDlp(row: TenantSettingsTable): DlpRecord {
  const dlp = dlpFromRow(row);
  return { detectors: dlp.detectors, customPatterns: dlp.custom, responses: dlp.responses, source: row.dlp_source };
}

/** API-shaped DLP settings in the stored (YAML) shape. */
export function dlpToConfig(settings: DlpSettings): DlpConfig {
  return { detectors: { ...settings.detectors }, custom: settings.customPatterns.map((p) => ({ ...p })), responses: settings.responses };
}

/** The stored rate limits. */
export function limitsFromRow(row: TenantSettingsTable): RateLimitsConfig {
  return JSON.parse(row.rate_limits) as RateLimitsConfig;
}

/** Rate limits with their owner. */
export function toLimits(row: TenantSettingsTable): LimitsRecord {
  return { rateLimits: limitsFromRow(row), source: row.limits_source };
}

/** The stored budget, `null` when none. */
export function budgetFromRow(row: TenantSettingsTable): BudgetConfig | null {
  return row.budget === null ? null : (JSON.parse(row.budget) as BudgetConfig);
}

/** The budget with its owner. */
export function toBudget(row: TenantSettingsTable): BudgetRecord {
  return { budget: budgetFromRow(row), source: row.budget_source };
}

/** DLP with nothing enabled: a tenant's settings before anyone sets them. */
export const EMPTY_DLP: DlpConfig = { detectors: {}, custom: [], responses: 'off' };
