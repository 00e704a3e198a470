import type { GatewayConfig } from '../config/schema.js';
import { isBaseUrlAllowed } from '../config/base-url-allowlist.js';

/**
 * Which upstream base URLs the operator vouches for: a provider the YAML file declares for that
 * tenant with that very base URL, or any URL under an `upstream.allowedBaseUrls` entry. Every
 * other base URL — one a tenant admin set over the API — connects through the SSRF guard.
 * Built once from the frozen config; the request path does one map lookup (and, for a
 * tenant-set URL, one allowlist match).
 */
export interface TrustedBaseUrls {
  /** True when a request to `baseUrl` for this tenant's provider must go through the SSRF guard. */
  needsGuard(tenantId: string, provider: string, baseUrl: string): boolean;
}

export function trustedBaseUrls(config: Pick<GatewayConfig, 'tenants' | 'upstream'>): TrustedBaseUrls {
  const declared = new Map<string, string | undefined>();
  for (const tenant of config.tenants) {
    for (const [name, provider] of Object.entries(tenant.providers)) declared.set(`${tenant.id}\u0000${name}`, provider.baseUrl);
  }
  const allowlist = config.upstream.allowedBaseUrls;
  const allowed = new Map<string, boolean>();
  return {
    needsGuard(tenantId, provider, baseUrl) {
      const key = `${tenantId}\u0000${provider}`;
      // A YAML provider without a baseUrl uses its type's public default, which is not tenant input.
      if (declared.has(key) && (declared.get(key) === undefined || declared.get(key) === baseUrl)) return false;
      let ok = allowed.get(baseUrl);
      if (ok === undefined) {
        ok = allowlist.length > 0 && URL.canParse(baseUrl) && isBaseUrlAllowed(new URL(baseUrl), allowlist);
        if (allowed.size < 10_000) allowed.set(baseUrl, ok);
      }
      return !ok;
    },
  };
}
