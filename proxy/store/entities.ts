import type { BudgetConfig, DlpAction, DlpConfig, ProviderType, RateLimitsConfig, Role, TierConfig } from '../config/schema.js';
import type { Secret } from '../identity/secret.js';

/**
 * The tenant data the store holds, as plain values the admin API can serialise. Every entity
 * says who owns it: `config` (declared in the YAML file, read-only over the API) or `api`.
 * Timestamps are ISO-8601 UTC strings. No type here ever carries a key hash, a provider key or
 * an API key in clear text, except `CreatedApiKey.key`, which is a `Secret` shown once.
 */
export type Source = 'config' | 'api';

export interface TenantRecord {
  readonly id: string;
  readonly plan: string;
  readonly disabled: boolean;
  readonly source: Source;
  readonly createdAt: string;
}

export interface UserRecord {
  readonly id: string;
  readonly role: Role;
  readonly source: Source;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly user: string;
  readonly name: string | null;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
  /** The user who created it over the API (`null` for keys declared in YAML or made by the operator door). */
  readonly createdBy: string | null;
  readonly source: Source;
}

/** The answer to a key creation: the record plus the plaintext key, which exists only here. */
export interface CreatedApiKey extends ApiKeyRecord {
  readonly key: Secret;
}

export interface NewApiKey {
  readonly user: string;
  readonly name?: string | undefined;
  /** ISO-8601 with offset; must be in the future (the admin layer validates the format). */
  readonly expiresAt?: string | undefined;
  /** The acting user (audit and `createdBy`). */
  readonly createdBy: string | null;
}

export interface ProviderRecord {
  readonly name: string;
  readonly type: ProviderType;
  readonly baseUrl: string | null;
  /** True when a key is stored (encrypted) or declared in YAML. The key itself is never returned. */
  readonly apiKeySet: boolean;
  readonly source: Source;
}

export interface ProviderInput {
  readonly type: ProviderType;
  /** `null` or absent: the type's default base URL. The admin layer checks allowlist + SSRF first. */
  readonly baseUrl?: string | null | undefined;
  /** Absent: keep the stored key. `null`: remove it. A Secret: encrypt and store (needs WORKJET_MASTER_KEY). */
  readonly apiKey?: Secret | null | undefined;
}

export type Fallback = TierConfig['fallbacks'][number];

export interface TierRecord {
  readonly name: string;
  readonly provider: string;
  readonly model: string;
  readonly fallbacks: readonly Fallback[];
  readonly tags: readonly string[];
  readonly source: Source;
}

export interface TierInput {
  readonly provider: string;
  readonly model: string;
  readonly fallbacks?: readonly Fallback[] | undefined;
  readonly tags?: readonly string[] | undefined;
}

export interface CustomPattern {
  readonly name: string;
  readonly pattern: string;
  readonly action: DlpAction;
}

/** DLP settings in the admin API's shape (`customPatterns`, where the YAML says `custom`). */
export interface DlpSettings {
  readonly detectors: Readonly<Record<string, DlpAction>>;
  readonly customPatterns: readonly CustomPattern[];
  readonly responses: DlpConfig['responses'];
}

export interface DlpRecord extends DlpSettings {
  readonly source: Source;
}

export type RateLimits = RateLimitsConfig;

export interface LimitsRecord {
  readonly rateLimits: RateLimits;
  readonly source: Source;
}

export interface BudgetInput {
  readonly monthlyUsd: number;
  readonly alertThresholds?: readonly number[] | undefined;
  readonly defaultMaxTokens?: number | undefined;
}

export interface BudgetRecord {
  /** `null`: no budget (unlimited). */
  readonly budget: BudgetConfig | null;
  readonly source: Source;
}

/** What a write changed, for the admin audit record (before → after; never a secret). */
export interface Change<T> {
  readonly before: T | undefined;
  readonly after: T | undefined;
}

/** The operator door: a new tenant with its first owner and that owner's first key. */
export interface NewTenant {
  readonly id: string;
  readonly plan: string;
  /** The first owner's user id. */
  readonly owner: string;
}

export interface CreatedTenant {
  readonly tenant: TenantRecord;
  readonly owner: UserRecord;
  /** The owner's first key (plaintext once). */
  readonly key: CreatedApiKey;
}
