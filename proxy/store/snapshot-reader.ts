import type { Logger } from 'pino';
import type { ProviderType, TenantConfig } from '../config/schema.js';
import type { ScopedDb } from './scoped-db.js';
import type { MasterKeyring } from './master-key.js';
import type { ConfigProviderKeys } from './config-apply.js';
import { budgetFromRow, dlpFromRow, EMPTY_DLP, limitsFromRow, toTenant, toTier } from './row-mapping.js';
import type { TenantSnapshot } from './tenant-snapshot.js';

/**
 * Reads one tenant, in one scoped transaction, into the YAML's `TenantConfig` shape: what the
 * registry compiles. Provider keys: a key set over the API is opened with the master key; a
 * key the YAML declares comes from this instance's YAML (it is never in the database).
 */
export async function readSnapshot(db: ScopedDb, deps: { keyring: MasterKeyring; configKeys: ConfigProviderKeys; logger: Logger }): Promise<TenantSnapshot | undefined> {
  const tenant = await db.tenant();
  if (!tenant) return undefined;
  const [users, keys, providers, tiers, settings] = await Promise.all([
    db.selectFrom('users').selectAll().orderBy('id').execute(),
    db.selectFrom('api_keys').selectAll().orderBy('id').execute(),
    db.selectFrom('providers').selectAll().orderBy('name').execute(),
    db.selectFrom('tiers').selectAll().orderBy('name').execute(),
    db.selectFrom('tenant_settings').selectAll().executeTakeFirst(),
  ]);
  const providerConfigs: TenantConfig['providers'] = {};
  for (const p of providers) {
    let apiKey: string | undefined;
    if (p.key_in_config === 1) apiKey = deps.configKeys.get(tenant.id)?.get(p.name);
    else if (p.api_key_enc !== null) {
      apiKey = deps.keyring.open(p.api_key_enc, { tenantId: tenant.id, provider: p.name })?.reveal();
      if (apiKey === undefined) deps.logger.warn({ tenant: tenant.id, provider: p.name }, 'stored provider key cannot be decrypted: WORKJET_MASTER_KEY (or WORKJET_MASTER_KEY_PREVIOUS) is not the key it was sealed with');
    }
    providerConfigs[p.name] = {
      type: p.type as ProviderType,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(p.base_url === null ? {} : { baseUrl: p.base_url }),
      anthropicVersion: p.anthropic_version,
      ...(p.timeout_ms === null ? {} : { timeoutMs: p.timeout_ms }),
    };
  }
  const tierConfigs: TenantConfig['tiers'] = {};
  for (const row of tiers) {
    const t = toTier(row);
    tierConfigs[t.name] = { provider: t.provider, model: t.model, fallbacks: [...t.fallbacks], tags: [...t.tags] };
  }
  const budget = settings ? budgetFromRow(settings) : null;
  const config: TenantConfig = {
    id: tenant.id,
    plan: tenant.plan,
    policy: { mode: tenant.policy_mode },
    providers: providerConfigs,
    tiers: tierConfigs,
    users: users.map((u) => ({ id: u.id, role: u.role })),
    apiKeys: keys.map((k) => ({ id: k.id, user: k.user_id, sha256: k.sha256, revoked: k.revoked === 1, ...(k.expires_at === null ? {} : { expiresAt: k.expires_at }) })),
    dlp: settings ? dlpFromRow(settings) : EMPTY_DLP,
    rateLimits: settings ? limitsFromRow(settings) : {},
    ...(budget === null ? {} : { budget }),
  };
  return { tenant: toTenant(tenant), config, version: tenant.version };
}
