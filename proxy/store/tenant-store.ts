import type { GatewayConfig, Role } from '../config/schema.js';
import type { TenantScope } from '../identity/tenant-scope.js';
import type {
  ApiKeyRecord,
  BudgetInput,
  BudgetRecord,
  Change,
  CreatedApiKey,
  CreatedTenant,
  DlpRecord,
  DlpSettings,
  LimitsRecord,
  NewApiKey,
  NewTenant,
  ProviderInput,
  ProviderRecord,
  RateLimits,
  TenantRecord,
  TierInput,
  TierRecord,
  UserRecord,
} from './entities.js';
import type { TenantSnapshot } from './tenant-snapshot.js';
import type { ListingPage, ListingQuery, ListingRecord, SkillInput, SkillRecord } from './skill-entities.js';

/**
 * The public interface of the tenant data store. Every repository method takes the caller's
 * `TenantScope` first and can only see and change that tenant's rows (the scoped query layer
 * adds `tenant_id = ?` to every read, update and delete and sets it on every insert; on
 * PostgreSQL, row-level security is the second net). An id of another tenant behaves exactly
 * like an id that does not exist: `StoreError('not_found')`.
 *
 * Writes: each write is one transaction that also bumps the tenant's version. When the promise
 * resolves, this instance's registry has already rebuilt that tenant's runtime (so a key
 * created here works here at once); other instances follow within 1 s (PostgreSQL
 * LISTEN/NOTIFY, plus a periodic version check as the backstop).
 *
 * Writing an entity (or singleton setting) whose `source` is `config` throws
 * `StoreError('managed_by_config')`. Errors are `StoreError` (see store-error.ts).
 */
export interface TenantStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly tenants: TenantRepository;
  readonly keys: KeyRepository;
  readonly users: UserRepository;
  readonly providers: ProviderRepository;
  readonly tiers: TierRepository;
  readonly dlp: DlpRepository;
  readonly limits: LimitsRepository;
  readonly budget: BudgetRepository;
  /** The tenant's skills, and publishing them (skill-repository.ts). */
  readonly skills: SkillRepository;
  /** Published skill metadata of every tenant, and installing a copy into the caller's tenant. */
  readonly marketplace: MarketplaceRepository;
  /** Cross-tenant operator door (`npm run tenants`, `/operator/v1/tenants`); never reachable from a tenant credential. */
  readonly operator: OperatorTenants;
  /** Registry-facing: snapshots to compile and change notifications. Not for the admin API. */
  readonly sync: StoreSync;
  /** Applies the YAML `tenants:` (source `config`): creates/updates what YAML declares, removes config rows YAML no longer declares. Api rows stay. */
  applyConfig(config: GatewayConfig): Promise<void>;
  /**
   * Master-key rotation (`npm run db:rotate-master-key`): re-seals every stored provider key under
   * WORKJET_MASTER_KEY, opening it with that key or WORKJET_MASTER_KEY_PREVIOUS. `unreadable`
   * counts keys neither opens (left as they are).
   */
  resealProviderKeys(): Promise<{ resealed: number; current: number; unreadable: number }>;
  /** True while the database answers (for `/readyz`). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

export interface TenantRepository {
  /** The caller's tenant (plan, disabled, source). */
  get(scope: TenantScope): Promise<TenantRecord>;
}

export interface KeyRepository {
  /** Every key of the tenant, revoked and expired ones included, oldest first. Never a hash. */
  list(scope: TenantScope): Promise<ApiKeyRecord[]>;
  get(scope: TenantScope, id: string): Promise<ApiKeyRecord>;
  /** Generates a `wj_…` key, stores only its SHA-256. `user` must exist in the tenant (`invalid`, param `user`). */
  create(scope: TenantScope, input: NewApiKey): Promise<CreatedApiKey>;
  /** Marks the key revoked (idempotent). Config keys: `managed_by_config`. */
  revoke(scope: TenantScope, id: string): Promise<Change<ApiKeyRecord>>;
}

export interface UserRepository {
  list(scope: TenantScope): Promise<UserRecord[]>;
  get(scope: TenantScope, id: string): Promise<UserRecord>;
  /** An existing id: `conflict`. */
  create(scope: TenantScope, input: { id: string; role: Role }): Promise<UserRecord>;
  /** Changes the role. Escalation and last-owner rules are the policy's (Rego), checked before this call. */
  update(scope: TenantScope, id: string, patch: { role: Role }): Promise<Change<UserRecord>>;
  /** Removes the user and revokes every key of that user, in one transaction. */
  delete(scope: TenantScope, id: string): Promise<Change<UserRecord>>;
}

export interface ProviderRepository {
  list(scope: TenantScope): Promise<ProviderRecord[]>;
  /** Creates or replaces (by name). A provider key needs `WORKJET_MASTER_KEY` (`master_key_missing`). */
  put(scope: TenantScope, name: string, input: ProviderInput): Promise<Change<ProviderRecord>>;
  /** `in_use` while a tier (or a tier's fallback) names it. */
  delete(scope: TenantScope, name: string): Promise<Change<ProviderRecord>>;
}

export interface TierRepository {
  list(scope: TenantScope): Promise<TierRecord[]>;
  /** Creates or replaces (by name). Unknown provider: `invalid`, param `provider`; unknown fallback tier: `invalid`, param `fallbacks[i]`. */
  put(scope: TenantScope, name: string, input: TierInput): Promise<Change<TierRecord>>;
  /** `in_use` while another tier falls back to it. */
  delete(scope: TenantScope, name: string): Promise<Change<TierRecord>>;
}

export interface DlpRepository {
  get(scope: TenantScope): Promise<DlpRecord>;
  /** Replaces the settings. Every detector name must be a built-in; every custom pattern is compiled with RE2 first (`invalid`, param `customPatterns[i].pattern`, RE2's reason). */
  put(scope: TenantScope, settings: DlpSettings): Promise<Change<DlpRecord>>;
}

export interface LimitsRepository {
  get(scope: TenantScope): Promise<LimitsRecord>;
  put(scope: TenantScope, rateLimits: RateLimits): Promise<Change<LimitsRecord>>;
}

export interface BudgetRepository {
  get(scope: TenantScope): Promise<BudgetRecord>;
  /** `null` removes the budget. Defaults: alertThresholds [50, 80, 100], defaultMaxTokens 4096. */
  put(scope: TenantScope, budget: BudgetInput | null): Promise<Change<BudgetRecord>>;
}

export interface SkillRepository {
  /** Every skill of the tenant, oldest first, with `published`. */
  list(scope: TenantScope): Promise<SkillRecord[]>;
  get(scope: TenantScope, id: string): Promise<SkillRecord>;
  create(scope: TenantScope, input: SkillInput & { createdBy: string | null }): Promise<SkillRecord>;
  /** Changes the skill only; its listing keeps the metadata published last (publish again to refresh it). */
  update(scope: TenantScope, id: string, patch: Partial<SkillInput>): Promise<Change<SkillRecord>>;
  /** Removes the skill and its listing; installed copies in other tenants stay. */
  delete(scope: TenantScope, id: string): Promise<Change<SkillRecord>>;
  /** Creates (or refreshes) the skill's listing with `metadata` (already DLP-checked by the caller). */
  publish(scope: TenantScope, id: string, metadata: SkillInput): Promise<{ listingId: string; change: Change<SkillRecord> }>;
  /** Removes the listing at once (idempotent); installed copies stay. */
  unpublish(scope: TenantScope, id: string): Promise<Change<SkillRecord>>;
}

/** The only cross-tenant reads: published metadata, never a tenant, user or skill id. */
export interface MarketplaceRepository {
  /** Newest first; `q` matches name or description (case-insensitive). A bad cursor: `invalid`, param `cursor`. */
  search(scope: TenantScope, query: ListingQuery): Promise<ListingPage>;
  get(scope: TenantScope, listingId: string): Promise<ListingRecord>;
  /** Copies the listing into the scope's tenant as a new skill (`installedFrom`: the listing id). */
  install(scope: TenantScope, listingId: string, createdBy: string | null): Promise<SkillRecord>;
}

export interface OperatorTenants {
  /** A tenant (source `api`) with its first owner and that owner's first key. Existing id: `conflict`. */
  create(input: NewTenant): Promise<CreatedTenant>;
  list(): Promise<TenantRecord[]>;
  /** Disabled tenants' keys and sessions are refused (401) on every instance within 1 s. Config tenants: `managed_by_config`. */
  disable(tenantId: string): Promise<TenantRecord>;
}

/** What the TenantRegistry needs: compile snapshots, hear about changes. */
export interface StoreSync {
  /** Every tenant id with its version (bumped by each write to that tenant). */
  versions(): Promise<Map<string, number>>;
  /** Everything the request path needs of one tenant, or undefined when it no longer exists. */
  snapshot(scope: TenantScope): Promise<TenantSnapshot | undefined>;
  /**
   * Calls `listener` with a tenant id after a write to that tenant: awaited after local writes
   * (before the write's promise resolves), and on NOTIFY from other instances (PostgreSQL).
   * Returns an unsubscribe function.
   */
  onChange(listener: (tenantId: string) => Promise<void> | void): () => void;
}
