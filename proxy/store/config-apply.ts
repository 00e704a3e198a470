import type { TenantConfig } from '../config/schema.js';
import type { ScopedDb } from './scoped-db.js';
import { EMPTY_DLP } from './row-mapping.js';
import { nowIso } from './scoped-runner.js';

/** Provider keys the YAML declares, per tenant and provider: kept in memory, never written to the database. */
export type ConfigProviderKeys = Map<string, Map<string, string>>;

/** Whether the YAML tenant declares a setting (the schema fills defaults, so "declared" means "not the default"). */
function declaresDlp(t: TenantConfig): boolean {
  return Object.keys(t.dlp.detectors).length > 0 || t.dlp.custom.length > 0 || t.dlp.responses !== 'off';
}

function declaresLimits(t: TenantConfig): boolean {
  return Object.keys(t.rateLimits).length > 0;
}

/**
 * Makes the store hold what one YAML tenant declares, inside that tenant's scoped transaction:
 * the tenant row, then users, keys, providers and tiers (config rows the YAML no longer
 * declares are removed; an API row with a declared id is taken over by the YAML), then the
 * settings the YAML declares. API rows and settings the YAML does not declare stay as they are.
 */
export async function applyTenantConfig(db: ScopedDb, t: TenantConfig, configKeys: ConfigProviderKeys): Promise<void> {
  const existing = await db.tenant();
  if (existing) {
    await db.updateTenant({ plan: t.plan, policy_mode: t.policy.mode, source: 'config', disabled: 0 });
  } else {
    await db.insertTenant({ plan: t.plan, policy_mode: t.policy.mode, source: 'config', disabled: 0, version: 1, created_at: nowIso() });
  }
  const now = nowIso();
  // The id lists below start with '' (never a valid id) so an empty YAML section never builds `IN ()`.

  await db.deleteFrom('users').where((eb) => eb.or([eb('source', '=', 'config'), eb('id', 'in', ['', ...t.users.map((u) => u.id)])])).execute();
  if (t.users.length > 0) await db.insertInto('users', t.users.map((u) => ({ id: u.id, role: u.role, source: 'config' as const, created_at: now }))).execute();

  const keyIds = ['', ...t.apiKeys.map((k) => k.id)];
  const keyHashes = ['', ...t.apiKeys.map((k) => k.sha256)];
  await db.deleteFrom('api_keys').where((eb) => eb.or([eb('source', '=', 'config'), eb('id', 'in', keyIds), eb('sha256', 'in', keyHashes)])).execute();
  if (t.apiKeys.length > 0) {
    await db
      .insertInto(
        'api_keys',
        t.apiKeys.map((k) => ({ id: k.id, user_id: k.user, name: null, sha256: k.sha256, created_at: now, expires_at: k.expiresAt ?? null, revoked: k.revoked ? (1 as const) : (0 as const), created_by: null, source: 'config' as const })),
      )
      .execute();
  }

  const keys = new Map<string, string>();
  const providerNames = ['', ...Object.keys(t.providers)];
  await db.deleteFrom('providers').where((eb) => eb.or([eb('source', '=', 'config'), eb('name', 'in', providerNames)])).execute();
  const providerRows = Object.entries(t.providers).map(([name, p]) => {
    if (p.apiKey !== undefined) keys.set(name, p.apiKey);
    return { name, type: p.type ?? name, base_url: p.baseUrl ?? null, api_key_enc: null, key_in_config: p.apiKey === undefined ? (0 as const) : (1 as const), anthropic_version: p.anthropicVersion, timeout_ms: p.timeoutMs ?? null, source: 'config' as const };
  });
  if (providerRows.length > 0) await db.insertInto('providers', providerRows).execute();
  configKeys.set(t.id, keys);

  const tierNames = ['', ...Object.keys(t.tiers)];
  await db.deleteFrom('tiers').where((eb) => eb.or([eb('source', '=', 'config'), eb('name', 'in', tierNames)])).execute();
  const tierRows = Object.entries(t.tiers).map(([name, tier]) => ({ name, provider: tier.provider, model: tier.model, fallbacks: JSON.stringify(tier.fallbacks), tags: JSON.stringify(tier.tags), source: 'config' as const }));
  if (tierRows.length > 0) await db.insertInto('tiers', tierRows).execute();

  await applySettings(db, t);
}

async function applySettings(db: ScopedDb, t: TenantConfig): Promise<void> {
  const current = await db.selectFrom('tenant_settings').selectAll().executeTakeFirst();
  if (!current) {
    await db.insertInto('tenant_settings', [{ dlp: JSON.stringify(EMPTY_DLP), dlp_source: 'api', rate_limits: '{}', limits_source: 'api', budget: null, budget_source: 'api' }]).execute();
  }
  const was = current ?? { dlp_source: 'api', limits_source: 'api', budget_source: 'api' };
  // A setting the YAML stops declaring goes back to the default and becomes the API's to change.
  if (declaresDlp(t)) await db.updateTable('tenant_settings').set({ dlp: JSON.stringify(t.dlp), dlp_source: 'config' }).execute();
  else if (was.dlp_source === 'config') await db.updateTable('tenant_settings').set({ dlp: JSON.stringify(EMPTY_DLP), dlp_source: 'api' }).execute();
  if (declaresLimits(t)) await db.updateTable('tenant_settings').set({ rate_limits: JSON.stringify(t.rateLimits), limits_source: 'config' }).execute();
  else if (was.limits_source === 'config') await db.updateTable('tenant_settings').set({ rate_limits: '{}', limits_source: 'api' }).execute();
  if (t.budget !== undefined) await db.updateTable('tenant_settings').set({ budget: JSON.stringify(t.budget), budget_source: 'config' }).execute();
  else if (was.budget_source === 'config') await db.updateTable('tenant_settings').set({ budget: null, budget_source: 'api' }).execute();
}
