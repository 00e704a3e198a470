import type { TenantConfig, Role } from '../config/schema.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { Secret } from '../identity/secret.js';
import { providerTypeOf, DEFAULT_BASE_URLS } from '../config/provider-type.js';
import type { TenantScope } from '../identity/tenant-scope.js';
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

/** Everything compiled once per tenant (at start, and again when its data changes); the request path only looks things up. */
export interface TenantRuntime {
  readonly scope: TenantScope;
  readonly config: TenantConfig;
  readonly users: ReadonlyMap<string, Role>;
  readonly providers: ReadonlyMap<string, ResolvedProvider>;
  readonly tiers: ReadonlyMap<string, ModelTarget>;
  readonly dlp: TenantDlp;
  readonly keys: readonly KeyRecord[];
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
      timeoutMs: p.timeoutMs,
    });
  }
  return out;
}

/** Tiers whose provider is gone (an API tier on a provider the YAML dropped) are left out, and reported. */
function resolveTiers(tenant: TenantConfig, providers: Map<string, ResolvedProvider>, onSkip: (tier: string, provider: string) => void): Map<string, ModelTarget> {
  const out = new Map<string, ModelTarget>();
  for (const [name, tier] of Object.entries(tenant.tiers)) {
    const provider = providers.get(tier.provider);
    if (!provider) {
      onSkip(name, tier.provider);
      continue;
    }
    out.set(name, Object.freeze({ name, kind: 'tier', provider: provider.name, providerType: provider.type, model: tier.model, tags: Object.freeze([...tier.tags]) }));
  }
  return out;
}

/** Compiles one tenant's runtime (providers with keys, tiers, users, DLP, key records). Throws on DLP settings that do not compile. */
export function compileRuntime(scope: TenantScope, tenant: TenantConfig, onSkippedTier: (tier: string, provider: string) => void = () => undefined): TenantRuntime {
  const providers = resolveProviders(tenant);
  return Object.freeze({
    scope,
    config: deepFreeze(tenant),
    users: new Map(tenant.users.map((u) => [u.id, u.role] as const)),
    providers,
    tiers: resolveTiers(tenant, providers, onSkippedTier),
    dlp: compileTenantDlp(tenant.id, tenant.dlp),
    keys: Object.freeze(
      tenant.apiKeys.map((k) => Object.freeze({ id: k.id, user: k.user, sha256: k.sha256, revoked: k.revoked, expiresAtMs: k.expiresAt === undefined ? undefined : Date.parse(k.expiresAt) })),
    ),
  });
}
