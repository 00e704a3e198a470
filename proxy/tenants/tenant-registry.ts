import type { GatewayConfig, TenantConfig, Role } from '../config/schema.js';
import { Secret } from '../identity/secret.js';
import { providerTypeOf, DEFAULT_BASE_URLS } from '../config/provider-type.js';
import { mintTenantScope, assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import type { ModelTarget } from '../core/vocabulary.js';
import type { ProviderEndpoint } from '../providers/provider-adapter.js';
import { compileTenantDlp, type TenantDlp } from '../dlp/tenant-dlp.js';

/** A provider of one tenant, with that tenant's own key: exactly what forward needs. */
export type ResolvedProvider = ProviderEndpoint;

/** An API key as identify needs it: never the plaintext, only its hash. */
export interface KeyRecord {
  readonly id: string;
  readonly user: string;
  readonly sha256: string;
  readonly revoked: boolean;
  readonly expiresAtMs: number | undefined;
}

/** Everything compiled once at startup for one tenant; the request path only looks things up. */
export interface TenantRuntime {
  readonly scope: TenantScope;
  readonly config: TenantConfig;
  readonly users: ReadonlyMap<string, Role>;
  readonly providers: ReadonlyMap<string, ResolvedProvider>;
  readonly tiers: ReadonlyMap<string, ModelTarget>;
  readonly dlp: TenantDlp;
}

function resolveProviders(tenant: TenantConfig): Map<string, ResolvedProvider> {
  const out = new Map<string, ResolvedProvider>();
  for (const [name, p] of Object.entries(tenant.providers)) {
    const type = providerTypeOf(name, p);
    if (!type) throw new Error(`tenants[${tenant.id}].providers.${name}: no type`);
    const defaultBase = DEFAULT_BASE_URLS[type];
    out.set(name, {
      name,
      type,
      baseUrl: p.baseUrl ?? defaultBase,
      apiKey: p.apiKey === undefined ? undefined : new Secret(p.apiKey),
      anthropicVersion: p.anthropicVersion,
      apiVersion: p.apiVersion,
      timeoutMs: p.timeoutMs,
    });
  }
  return out;
}

function resolveTiers(tenant: TenantConfig, providers: Map<string, ResolvedProvider>): Map<string, ModelTarget> {
  const out = new Map<string, ModelTarget>();
  for (const [name, tier] of Object.entries(tenant.tiers)) {
    const provider = providers.get(tier.provider);
    if (!provider) throw new Error(`tenants[${tenant.id}].tiers.${name}.provider: unknown provider "${tier.provider}"`);
    out.set(name, Object.freeze({ name, kind: 'tier', provider: provider.name, providerType: provider.type, model: tier.model, tags: Object.freeze([...tier.tags]) }));
  }
  return out;
}

/**
 * The per-tenant runtime built from the frozen config: providers with their keys, tiers,
 * users, compiled DLP, and the O(1) index from API-key hash to its tenant.
 */
export class TenantRegistry {
  readonly #tenants = new Map<string, TenantRuntime>();
  readonly #keys = new Map<string, { tenant: TenantRuntime; key: KeyRecord }>();

  constructor(config: GatewayConfig) {
    for (const tenant of config.tenants) {
      if (config.dedicatedTenant !== undefined && tenant.id !== config.dedicatedTenant) continue;
      const providers = resolveProviders(tenant);
      const runtime: TenantRuntime = Object.freeze({
        scope: mintTenantScope(tenant.id),
        config: tenant,
        users: new Map(tenant.users.map((u) => [u.id, u.role] as const)),
        providers,
        tiers: resolveTiers(tenant, providers),
        dlp: compileTenantDlp(tenant.id, tenant.dlp),
      });
      this.#tenants.set(tenant.id, runtime);
      for (const k of tenant.apiKeys) {
        const record: KeyRecord = {
          id: k.id,
          user: k.user,
          sha256: k.sha256,
          revoked: k.revoked,
          expiresAtMs: k.expiresAt === undefined ? undefined : Date.parse(k.expiresAt),
        };
        this.#keys.set(k.sha256, { tenant: runtime, key: record });
      }
    }
  }

  /** The runtime of the tenant a scope was minted for. */
  get(scope: TenantScope): TenantRuntime {
    const runtime = this.#tenants.get(assertTenantScope(scope).tenantId);
    if (!runtime) throw new Error(`no tenant ${scope.tenantId}`);
    return runtime;
  }

  /** Identify only: the tenant a session token names, if this instance serves it. */
  findTenantForSession(tenantId: string): TenantRuntime | undefined {
    return this.#tenants.get(tenantId);
  }

  /** Identify only: the key whose SHA-256 hex is `hash`. */
  findKeyByHash(hash: string): { tenant: TenantRuntime; key: KeyRecord } | undefined {
    return this.#keys.get(hash);
  }

  /** Operator tooling (startup, metrics): every tenant this instance serves. */
  all(): IterableIterator<TenantRuntime> {
    return this.#tenants.values();
  }
}
