import type { ProviderRepository, TierRepository } from '../tenant-store.js';
import type { Fallback, TierInput } from '../entities.js';
import type { MasterKeyring } from '../master-key.js';
import { toProvider, toTier } from '../row-mapping.js';
import { assertApiOwned, found, type ScopedRunner } from '../scoped-runner.js';
import type { ScopedDb } from '../scoped-db.js';
import { StoreError } from '../store-error.js';

async function providerRow(db: ScopedDb, name: string) {
  return db.selectFrom('providers').selectAll().where('name', '=', name).executeTakeFirst();
}

async function tierRow(db: ScopedDb, name: string) {
  return db.selectFrom('tiers').selectAll().where('name', '=', name).executeTakeFirst();
}

async function tierRows(db: ScopedDb) {
  return (await db.selectFrom('tiers').selectAll().orderBy('name').execute()).map(toTier);
}

/** Providers of the scope's tenant: type, base URL and a write-only key sealed under the master key. */
export function createProviderRepository(run: ScopedRunner, keyring: MasterKeyring): ProviderRepository {
  return {
    list: (scope) => run.read(scope, async (db) => (await db.selectFrom('providers').selectAll().orderBy('name').execute()).map(toProvider)),
    put: (scope, name, input) =>
      run.write(scope, async (db) => {
        const before = await providerRow(db, name);
        assertApiOwned(before, `provider "${name}"`);
        let sealed = before?.api_key_enc ?? null;
        if (input.apiKey === null) sealed = null;
        else if (input.apiKey !== undefined) sealed = keyring.seal(input.apiKey, { tenantId: db.tenantId, provider: name });
        const row = { name, type: input.type, base_url: input.baseUrl ?? null, api_key_enc: sealed, key_in_config: 0 as const, anthropic_version: before?.anthropic_version ?? '2023-06-01', timeout_ms: before?.timeout_ms ?? null, source: 'api' as const };
        if (before) await db.updateTable('providers').set(row).where('name', '=', name).execute();
        else await db.insertInto('providers', [row]).execute();
        return { before: before && toProvider(before), after: toProvider({ ...row, tenant_id: db.tenantId }) };
      }),
    delete: (scope, name) =>
      run.write(scope, async (db) => {
        const before = found(await providerRow(db, name), `provider "${name}"`);
        assertApiOwned(before, `provider "${name}"`);
        const user = (await tierRows(db)).find((t) => t.provider === name || t.fallbacks.some((f) => typeof f !== 'string' && f.provider === name));
        if (user) throw new StoreError('in_use', `provider "${name}" is used by tier "${user.name}"`);
        await db.deleteFrom('providers').where('name', '=', name).execute();
        return { before: toProvider(before), after: undefined };
      }),
  };
}

async function checkTier(db: ScopedDb, name: string, input: TierInput): Promise<void> {
  if (!(await providerRow(db, input.provider))) throw new StoreError('invalid', `unknown provider "${input.provider}"`, 'provider');
  const fallbacks: readonly Fallback[] = input.fallbacks ?? [];
  for (const [i, fallback] of fallbacks.entries()) {
    if (typeof fallback === 'string') {
      if (fallback === name) throw new StoreError('invalid', 'a tier cannot fall back to itself', `fallbacks[${i}]`);
      if (!(await tierRow(db, fallback))) throw new StoreError('invalid', `unknown tier "${fallback}"`, `fallbacks[${i}]`);
    } else if (!(await providerRow(db, fallback.provider))) {
      throw new StoreError('invalid', `unknown provider "${fallback.provider}"`, `fallbacks[${i}].provider`);
    }
  }
}

/** Tiers of the scope's tenant: provider + model, fallbacks, tags. */
export function createTierRepository(run: ScopedRunner): TierRepository {
  return {
    list: (scope) => run.read(scope, tierRows),
    put: (scope, name, input) =>
      run.write(scope, async (db) => {
        const before = await tierRow(db, name);
        assertApiOwned(before, `tier "${name}"`);
        await checkTier(db, name, input);
        const row = { name, provider: input.provider, model: input.model, fallbacks: JSON.stringify(input.fallbacks ?? []), tags: JSON.stringify(input.tags ?? []), source: 'api' as const };
        if (before) await db.updateTable('tiers').set(row).where('name', '=', name).execute();
        else await db.insertInto('tiers', [row]).execute();
        return { before: before && toTier(before), after: toTier({ ...row, tenant_id: db.tenantId }) };
      }),
    delete: (scope, name) =>
      run.write(scope, async (db) => {
        const before = found(await tierRow(db, name), `tier "${name}"`);
        assertApiOwned(before, `tier "${name}"`);
        const user = (await tierRows(db)).find((t) => t.fallbacks.includes(name));
        if (user) throw new StoreError('in_use', `tier "${name}" is a fallback of tier "${user.name}"`);
        await db.deleteFrom('tiers').where('name', '=', name).execute();
        return { before: toTier(before), after: undefined };
      }),
  };
}
