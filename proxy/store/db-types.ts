/**
 * The tables of tenant data, as Kysely sees them. One column set for SQLite and PostgreSQL:
 * booleans are 0/1 integers, timestamps ISO-8601 text, lists and settings JSON text, so the
 * same queries and the same row mapping serve both dialects.
 */
export type Flag = 0 | 1;
export type SourceColumn = 'config' | 'api';

export interface TenantsTable {
  id: string;
  plan: string;
  disabled: Flag;
  source: SourceColumn;
  policy_mode: 'enforce' | 'dry-run';
  /** Bumped by every write to this tenant's data: what instances compare to know they are stale. */
  version: number;
  created_at: string;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  role: 'owner' | 'admin' | 'member';
  source: SourceColumn;
  created_at: string;
}

export interface ApiKeysTable {
  tenant_id: string;
  id: string;
  user_id: string;
  name: string | null;
  /** SHA-256 hex of the key: the only form a key is stored in. */
  sha256: string;
  created_at: string;
  expires_at: string | null;
  revoked: Flag;
  created_by: string | null;
  source: SourceColumn;
}

export interface ProvidersTable {
  tenant_id: string;
  name: string;
  type: string;
  base_url: string | null;
  /** AES-256-GCM envelope (`wjk1:<keyId>:…`) of a key set over the API; never clear text. */
  api_key_enc: string | null;
  /** 1 when the YAML declares the key: it stays in the YAML/env, never in the database. */
  key_in_config: Flag;
  anthropic_version: string;
  timeout_ms: number | null;
  source: SourceColumn;
}

export interface TiersTable {
  tenant_id: string;
  name: string;
  provider: string;
  model: string;
  fallbacks: string;
  tags: string;
  source: SourceColumn;
}

/** One row per tenant: DLP, rate limits and budget, each with its own owner. */
export interface TenantSettingsTable {
  tenant_id: string;
  dlp: string;
  dlp_source: SourceColumn;
  rate_limits: string;
  limits_source: SourceColumn;
  budget: string | null;
  budget_source: SourceColumn;
}

/** Reserved for the skills issue: the tables exist so that issue adds no migration to start. */
export interface SkillsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string;
  system_prompt: string;
  created_by: string | null;
  installed_from: string | null;
  created_at: string;
  updated_at: string;
}

export interface MarketplaceListingsTable {
  id: string;
  tenant_id: string;
  skill_id: string;
  name: string;
  description: string;
  system_prompt: string;
  published_at: string;
}

export interface Db {
  tenants: TenantsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  providers: ProvidersTable;
  tiers: TiersTable;
  tenant_settings: TenantSettingsTable;
  skills: SkillsTable;
  marketplace_listings: MarketplaceListingsTable;
}

/** Tables whose every row belongs to one tenant through `tenant_id` (the scoped layer's domain). */
export type TenantTable = 'users' | 'api_keys' | 'providers' | 'tiers' | 'tenant_settings' | 'skills';
