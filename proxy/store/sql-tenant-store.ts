import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction, type TransactionBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { assertTenantScope, mintTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import type { Db, TenantsTable } from './db-types.js';
import { applyTenantConfig, type ConfigProviderKeys } from './config-apply.js';
import { MasterKeyring } from './master-key.js';
import { TENANT_SETTING } from './migrations/003-row-level-security.js';
import { createKeyRepository } from './repositories/key-repository.js';
import { createOperatorTenants } from './repositories/operator-tenants.js';
import { createProviderRepository, createTierRepository } from './repositories/routing-repository.js';
import { createBudgetRepository, createDlpRepository, createLimitsRepository, createTenantRepository } from './repositories/settings-repository.js';
import { createUserRepository } from './repositories/user-repository.js';
import { createMarketplaceRepository, createSkillRepository } from './repositories/skill-repository.js';
import { ScopedDb } from './scoped-db.js';
import type { ScopedRunner } from './scoped-runner.js';
import { readSnapshot } from './snapshot-reader.js';
import type { StoreSync, TenantStore } from './tenant-store.js';

/** The NOTIFY channel a write announces its tenant on (PostgreSQL); the payload is `<instance id> <tenant id>`. */
export const CHANGE_CHANNEL = 'workjet_tenant_changed';

/** Splits a NOTIFY payload; undefined for a malformed one. */
export function parseChangePayload(payload: string): { instance: string; tenantId: string } | undefined {
  const space = payload.indexOf(' ');
  if (space <= 0) return undefined;
  return { instance: payload.slice(0, space), tenantId: payload.slice(space + 1) };
}

type ChangeListener = (tenantId: string) => Promise<void> | void;

/**
 * The store over Kysely, one implementation for both dialects. Every tenant-data query runs in
 * `#transaction`: one transaction per call, `set_config('workjet.tenant_id', …, true)` first on
 * PostgreSQL (row-level security), the scoped layer for the repository, and for writes a
 * version bump, a NOTIFY and, after commit, this instance's listeners.
 */
export class SqlTenantStore implements TenantStore {
  readonly tenants;
  readonly keys;
  readonly users;
  readonly providers;
  readonly tiers;
  readonly dlp;
  readonly limits;
  readonly budget;
  readonly skills;
  readonly marketplace;
  readonly operator;
  readonly sync: StoreSync;
  readonly #db: Kysely<Db>;
  readonly #listeners = new Set<ChangeListener>();
  readonly #configKeys: ConfigProviderKeys = new Map();
  readonly #onClose: () => Promise<void>;
  readonly #keyring: MasterKeyring;
  /** Tags this instance's NOTIFYs, so it does not refresh twice for its own writes. */
  readonly instanceId = randomUUID();

  constructor(
    readonly kind: 'sqlite' | 'postgres',
    deps: { db: Kysely<Db>; keyring: MasterKeyring; logger: Logger; onClose: () => Promise<void> },
  ) {
    this.#db = deps.db;
    this.#onClose = deps.onClose;
    this.#keyring = deps.keyring;
    const run: ScopedRunner = {
      read: (scope, fn) => this.#transaction(assertTenantScope(scope).tenantId, false, fn),
      write: (scope, fn) => this.#transaction(assertTenantScope(scope).tenantId, true, fn),
    };
    this.tenants = createTenantRepository(run);
    this.keys = createKeyRepository(run);
    this.users = createUserRepository(run);
    this.providers = createProviderRepository(run, deps.keyring);
    this.tiers = createTierRepository(run);
    this.dlp = createDlpRepository(run);
    this.limits = createLimitsRepository(run);
    this.budget = createBudgetRepository(run);
    this.skills = createSkillRepository(run);
    this.marketplace = createMarketplaceRepository(run);
    this.operator = createOperatorTenants(run, () => this.#directory());
    const snapshotDeps = { keyring: deps.keyring, configKeys: this.#configKeys, logger: deps.logger };
    this.sync = {
      versions: async () => new Map((await this.#directory()).map((t) => [t.id, t.version] as const)),
      snapshot: (scope: TenantScope) => run.read(scope, (db) => readSnapshot(db, snapshotDeps)),
      onChange: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
    };
  }

  /** One transaction for the whole file: a YAML that fails to apply changes nothing (and no in-memory provider key). */
  async applyConfig(config: GatewayConfig): Promise<void> {
    const declared = new Set(config.tenants.map((t) => t.id));
    const stagedKeys: ConfigProviderKeys = new Map();
    const changed: string[] = [];
    await this.#begin(true).execute(async (trx) => {
      for (const tenant of config.tenants) {
        // Startup / reload acting for the operator: the YAML is the operator's own declaration.
        const scope = mintTenantScope(tenant.id);
        await this.#inTenant(trx, scope.tenantId, true, (db) => applyTenantConfig(db, tenant, stagedKeys));
        changed.push(tenant.id);
      }
      const directory = await trx.selectFrom('tenants').selectAll().execute();
      for (const row of directory) {
        // A tenant removed from the YAML stops being served; its API data stays for the operator.
        if (row.source === 'config' && row.disabled === 0 && !declared.has(row.id)) {
          await this.#inTenant(trx, row.id, true, (db) => db.updateTenant({ disabled: 1 }));
          changed.push(row.id);
        }
      }
    });
    this.#configKeys.clear();
    for (const [tenant, keys] of stagedKeys) this.#configKeys.set(tenant, keys);
    for (const id of changed) await this.#emit(id);
  }

  async resealProviderKeys(): Promise<{ resealed: number; current: number; unreadable: number }> {
    const counts = { resealed: 0, current: 0, unreadable: 0 };
    for (const row of await this.#directory()) {
      await this.#transaction(row.id, true, async (db) => {
        const sealed = await db.selectFrom('providers').select(['name', 'api_key_enc']).where('api_key_enc', 'is not', null).execute();
        for (const p of sealed) {
          if (p.api_key_enc === null) continue;
          const binding = { tenantId: row.id, provider: p.name };
          if (MasterKeyring.keyIdOf(p.api_key_enc) === this.#keyring.currentId) {
            counts.current++;
            continue;
          }
          const plain = this.#keyring.open(p.api_key_enc, binding);
          if (!plain) {
            counts.unreadable++;
            continue;
          }
          await db.updateTable('providers').set({ api_key_enc: this.#keyring.seal(plain, binding) }).where('name', '=', p.name).execute();
          counts.resealed++;
        }
      });
    }
    return counts;
  }

  async isHealthy(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.#db);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#onClose();
  }

  /** Runs `listener`s for a tenant another instance changed (a NOTIFY payload); ignores this instance's own. */
  async notifyRemoteChange(payload: string): Promise<void> {
    const change = parseChangePayload(payload);
    if (change === undefined || change.instance === this.instanceId) return;
    await this.#emit(change.tenantId);
  }

  /** The tenant directory (ids, plans, versions): readable by every role, no tenant data. */
  #directory(): Promise<TenantsTable[]> {
    return this.#db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /**
   * A transaction for a write or a read. On SQLite a write begins IMMEDIATE (the dialect's
   * default) and a read is marked `read only`, which stays a deferred BEGIN that reads its WAL
   * snapshot beside a writer. PostgreSQL's transactions are begun as they always were.
   */
  #begin(write: boolean): TransactionBuilder<Db> {
    const builder = this.#db.transaction();
    return write || this.kind === 'postgres' ? builder : builder.setAccessMode('read only');
  }

  async #transaction<T>(tenantId: string, write: boolean, fn: (db: ScopedDb) => Promise<T>): Promise<T> {
    const result = await this.#begin(write).execute((trx) => this.#inTenant(trx, tenantId, write, fn));
    if (write) await this.#emit(tenantId);
    return result;
  }

  /** Scopes an open transaction to one tenant (again, for the next tenant of a YAML apply) and runs `fn` in it. */
  async #inTenant<T>(trx: Transaction<Db>, tenantId: string, write: boolean, fn: (db: ScopedDb) => Promise<T>): Promise<T> {
    if (this.kind === 'postgres') {
      await sql`select set_config(${TENANT_SETTING}, ${tenantId}, true)`.execute(trx);
      // One writer per tenant at a time across instances (two instances applying the same YAML
      // at start would otherwise both insert the rows the other just replaced).
      if (write) await sql`select pg_advisory_xact_lock(hashtext(${`workjet.tenant:${tenantId}`}))`.execute(trx);
    }
    const scoped = new ScopedDb(trx, tenantId);
    const value = await fn(scoped);
    if (write) {
      await scoped.bumpVersion();
      // Delivered at commit, to every instance listening (none when the transaction rolls back).
      if (this.kind === 'postgres') await sql`select pg_notify(${CHANGE_CHANNEL}, ${`${this.instanceId} ${tenantId}`})`.execute(trx);
    }
    return value;
  }

  async #emit(tenantId: string): Promise<void> {
    for (const listener of this.#listeners) await listener(tenantId);
  }
}
