import { compileCustom } from '../dlp/compiled-detector.js';
import { BUILTIN_DETECTOR_IDS } from '../dlp/detectors/index.js';
import { baseUrlProblem } from './base-url-allowlist.js';
import { formatConfigPath, type ConfigIssue, type PathSegment } from './config-path.js';
import { BASE_URL_REQUIRED, DEFAULT_BASE_URLS, KEY_OPTIONAL, providerTypeOf } from './provider-type.js';
import type { ReferenceView, TenantView } from './reference-view.js';
import { PROVIDER_TYPES, type ProviderType } from './schema.js';

function knownType(type: string | undefined): ProviderType | undefined {
  return (PROVIDER_TYPES as readonly (string | undefined)[]).includes(type) ? (type as ProviderType) : undefined;
}

/**
 * Reference checks inside one tenant: tiers and fallbacks name declared providers and tiers,
 * providers have a type, a key and an acceptable base URL, keys name declared users, a budget
 * has prices for every model it may be charged for, DLP detectors exist and custom patterns
 * compile with the DLP compiler (RE2).
 * Values the structural pass rejects are absent from the view and skipped here.
 */
export function validateTenant(config: ReferenceView, tenant: TenantView, index: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (...segments: PathSegment[]): string => formatConfigPath(['tenants', index, ...segments]);
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const allowlist = (config.upstream?.allowedBaseUrls ?? []).filter((entry) => entry !== null);

  for (const [name, provider] of Object.entries(tenant.providers)) {
    if (provider === null) continue;
    // An invalid `type` value is a structural error already; only a missing one is ours.
    if (provider.type !== undefined && knownType(provider.type) === undefined) continue;
    const type = providerTypeOf(name, { type: knownType(provider.type) });
    if (type === undefined) {
      add(at('providers', name), `unknown provider type for "${name}": set type to openai, anthropic, gemini, azure_openai, openai_compatible or demo`);
    } else if (!KEY_OPTIONAL.has(type) && (provider.apiKey === undefined || provider.apiKey === '')) {
      add(at('providers', name, 'apiKey'), `required for an ${type} provider`);
    }
    if (type !== undefined && BASE_URL_REQUIRED.has(type) && provider.baseUrl === undefined) add(at('providers', name, 'baseUrl'), `required for an ${type} provider`);
    const baseUrl = provider.baseUrl ?? (type === undefined ? undefined : DEFAULT_BASE_URLS[type]);
    if (baseUrl !== undefined) {
      const problem = baseUrlProblem(baseUrl, allowlist);
      const suffix = provider.baseUrl === undefined ? ` (the default base URL ${baseUrl})` : '';
      if (problem !== null) add(at('providers', name, 'baseUrl'), problem + suffix);
    }
  }

  const declared = (provider: string): boolean => Object.hasOwn(tenant.providers, provider);
  const needsPrice = (path: string, model: string | undefined): void => {
    if (tenant.budget != null && model !== undefined && !Object.hasOwn(config.pricing, model)) {
      add(path, `no pricing for model "${model}": tenant "${tenant.id ?? index}" has a budget, so add it under pricing`);
    }
  };

  for (const [tierName, tier] of Object.entries(tenant.tiers)) {
    if (tier === null) continue;
    if (tier.provider !== undefined && !declared(tier.provider)) add(at('tiers', tierName, 'provider'), `unknown provider "${tier.provider}"`);
    needsPrice(at('tiers', tierName, 'model'), tier.model);
    tier.fallbacks.forEach((fallback, k) => {
      if (fallback === null) return;
      if (typeof fallback === 'string') {
        if (fallback === tierName) add(at('tiers', tierName, 'fallbacks', k), 'a tier cannot fall back to itself');
        else if (!Object.hasOwn(tenant.tiers, fallback)) {
          const hint = declared(fallback) ? ` (to fall back to provider "${fallback}", write { provider: ${fallback}, model: … })` : '';
          add(at('tiers', tierName, 'fallbacks', k), `unknown tier "${fallback}"${hint}`);
        }
        return;
      }
      if (fallback.provider !== undefined && !declared(fallback.provider)) {
        add(at('tiers', tierName, 'fallbacks', k, 'provider'), `unknown provider "${fallback.provider}"`);
      }
      needsPrice(at('tiers', tierName, 'fallbacks', k, 'model'), fallback.model);
    });
  }

  const users = new Map<string, number>();
  tenant.users.forEach((user, j) => {
    if (user?.id === undefined) return;
    const first = users.get(user.id);
    if (first !== undefined) add(at('users', j, 'id'), `duplicate user id "${user.id}" (also ${at('users', first)})`);
    else users.set(user.id, j);
  });
  tenant.apiKeys.forEach((key, j) => {
    if (key?.user !== undefined && !users.has(key.user)) add(at('apiKeys', j, 'user'), `unknown user "${key.user}"`);
  });

  for (const name of Object.keys(tenant.dlp?.detectors ?? {})) {
    if (!BUILTIN_DETECTOR_IDS.includes(name)) add(at('dlp', 'detectors', name), `unknown detector "${name}" (known: ${BUILTIN_DETECTOR_IDS.join(', ')})`);
  }
  const customNames = new Map<string, number>();
  (tenant.dlp?.custom ?? []).forEach((custom, j) => {
    if (custom === null) return;
    if (custom.name !== undefined) {
      const first = customNames.get(custom.name);
      if (BUILTIN_DETECTOR_IDS.includes(custom.name)) add(at('dlp', 'custom', j, 'name'), `"${custom.name}" is a built-in detector name`);
      else if (first !== undefined) add(at('dlp', 'custom', j, 'name'), `duplicate pattern name "${custom.name}" (also ${at('dlp', 'custom', first)})`);
      else customNames.set(custom.name, j);
    }
    if (custom.pattern === undefined) return;
    try {
      // The DLP compiler itself, so a pattern passes here exactly when the scanner accepts it.
      compileCustom(custom.name ?? 'custom', custom.pattern);
    } catch (err) {
      add(at('dlp', 'custom', j, 'pattern'), `invalid RE2 pattern: ${err instanceof Error ? err.message : String(err)}`);
    }
  });

  return issues;
}
