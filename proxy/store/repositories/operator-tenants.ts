import { mintTenantScope } from '../../identity/tenant-scope.js';
import type { OperatorTenants } from '../tenant-store.js';
import type { TenantsTable } from '../db-types.js';
import { EMPTY_DLP, toTenant, toUser } from '../row-mapping.js';
import { assertApiOwned, found, nowIso, type ScopedRunner } from '../scoped-runner.js';
import { StoreError } from '../store-error.js';
import { insertApiKey } from './key-repository.js';

// Literal copies of the config schema's patterns (tenant ids and user ids), fixed and linear.
const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/**
 * The operator's door: the only cross-tenant writes. Each one still runs inside the scoped
 * layer of the tenant it creates or disables (the scope minted here, as operator tooling, for
 * an id the operator typed); `list` reads the tenant directory only.
 */
export function createOperatorTenants(run: ScopedRunner, directory: () => Promise<TenantsTable[]>): OperatorTenants {
  return {
    async create(input) {
      if (!TENANT_ID.test(input.id)) throw new StoreError('invalid', 'must be 1-63 lowercase letters, digits or -, starting with a letter or digit', 'id');
      if (!USER_ID.test(input.owner)) throw new StoreError('invalid', 'letters, digits and . _ : @ - only', 'owner');
      if (input.plan.trim() === '') throw new StoreError('invalid', 'must not be empty', 'plan');
      const scope = mintTenantScope(input.id);
      return run.write(scope, async (db) => {
        if (await db.tenant()) throw new StoreError('conflict', `tenant "${input.id}" already exists`, 'id');
        const now = nowIso();
        await db.insertTenant({ plan: input.plan, policy_mode: 'enforce', source: 'api', disabled: 0, version: 1, created_at: now });
        await db.insertInto('tenant_settings', [{ dlp: JSON.stringify(EMPTY_DLP), dlp_source: 'api', rate_limits: '{}', limits_source: 'api', budget: null, budget_source: 'api' }]).execute();
        await db.insertInto('users', [{ id: input.owner, role: 'owner', source: 'api', created_at: now }]).execute();
        const key = await insertApiKey(db, { user: input.owner, name: 'first owner key', createdBy: null });
        const tenant = found(await db.tenant(), 'tenant');
        return { tenant: toTenant(tenant), owner: toUser({ id: input.owner, role: 'owner', source: 'api' }), key };
      });
    },
    list: async () => (await directory()).map(toTenant),
    async disable(tenantId) {
      const row = (await directory()).find((t) => t.id === tenantId);
      found(row, `tenant "${tenantId}"`);
      assertApiOwned(row, `tenant "${tenantId}"`);
      return run.write(mintTenantScope(tenantId), async (db) => {
        await db.updateTenant({ disabled: 1 });
        return toTenant(found(await db.tenant(), `tenant "${tenantId}"`));
      });
    },
  };
}
