import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { mintTenantScope, assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import type { TenantStore } from '../store/tenant-store.js';
import { compileRuntime, type KeyRecord, type ResolvedProvider, type TenantRuntime } from './compile-runtime.js';

export type { KeyRecord, ResolvedProvider, TenantRuntime };

/** How often an instance compares tenant versions with the store: the backstop under NOTIFY (and, on SQLite, how a CLI's writes arrive). */
export const DEFAULT_POLL_INTERVAL_MS = 500;

/**
 * The in-memory cache of compiled per-tenant runtimes the request path reads: identify finds
 * a key by hash in O(1), route and DLP look up the tenant's runtime; nothing here queries the
 * database per request. A tenant's entry is rebuilt from a store snapshot when it changes: at
 * once after this instance's own writes, on NOTIFY from another instance (PostgreSQL), and at
 * the latest on the next version check (every `pollIntervalMs`). Disabled tenants are not served.
 */
export class TenantRegistry {
  readonly #tenants = new Map<string, TenantRuntime>();
  readonly #keys = new Map<string, { tenant: TenantRuntime; key: KeyRecord }>();
  readonly #versions = new Map<string, number>();
  readonly #store: TenantStore;
  readonly #logger: Logger;
  #dedicatedTenant: string | undefined;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: () => void = () => undefined;
  #storeReachable = true;

  private constructor(store: TenantStore, config: GatewayConfig, logger: Logger) {
    this.#store = store;
    this.#dedicatedTenant = config.dedicatedTenant;
    this.#logger = logger;
  }

  /** Builds every served tenant's runtime from the store (which has the YAML applied) and starts following changes. */
  static async open(input: { config: GatewayConfig; store: TenantStore; logger: Logger; pollIntervalMs?: number }): Promise<TenantRegistry> {
    const registry = new TenantRegistry(input.store, input.config, input.logger.child({ component: 'tenant-registry' }));
    await registry.#refreshStale();
    registry.#unsubscribe = input.store.sync.onChange((tenantId) => registry.refresh(tenantId));
    const interval = input.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    registry.#timer = setInterval(() => void registry.#refreshStale(), interval);
    registry.#timer.unref();
    return registry;
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

  /** Rebuilds one tenant's runtime from the store (serialised with every other refresh); resolves when it is in place. */
  refresh(tenantId: string): Promise<void> {
    const next = this.#chain.then(() => this.#rebuild(tenantId));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Re-applies the YAML `tenants:` to the store (SIGHUP), then rebuilds every tenant whose data changed. */
  async reload(config: GatewayConfig): Promise<void> {
    this.#dedicatedTenant = config.dedicatedTenant;
    await this.#store.applyConfig(config);
    await this.#refreshStale();
  }

  /** False after the last version check could not reach the store (for `/readyz`); the compiled runtimes keep serving. */
  get storeReachable(): boolean {
    return this.#storeReachable;
  }

  /** Stops following the store. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe();
  }

  /** The version check: rebuilds tenants whose version moved, drops tenants that are gone. */
  async #refreshStale(): Promise<void> {
    let versions: Map<string, number>;
    try {
      versions = await this.#store.sync.versions();
      this.#storeReachable = true;
    } catch (err) {
      this.#storeReachable = false;
      // The store is unreachable: keep serving what is compiled; the next tick retries.
      this.#logger.warn({ err }, 'tenant version check failed');
      return;
    }
    for (const [id, version] of versions) if (this.#versions.get(id) !== version) await this.refresh(id).catch(() => undefined);
    for (const id of [...this.#versions.keys()]) if (!versions.has(id)) await this.refresh(id).catch(() => undefined);
  }

  async #rebuild(tenantId: string): Promise<void> {
    if (this.#dedicatedTenant !== undefined && tenantId !== this.#dedicatedTenant) return;
    // Startup / change following: the registry acts for the operator, for a tenant id the store listed.
    const scope = mintTenantScope(tenantId);
    let snapshot;
    try {
      snapshot = await this.#store.sync.snapshot(scope);
    } catch (err) {
      this.#logger.error({ err, tenant: tenantId }, 'tenant snapshot failed; serving the previous runtime');
      throw err;
    }
    if (snapshot !== undefined && this.#versions.get(tenantId) === snapshot.version && this.#tenants.has(tenantId) !== snapshot.tenant.disabled) return;
    this.#drop(tenantId);
    if (snapshot === undefined) return;
    this.#versions.set(tenantId, snapshot.version);
    if (snapshot.tenant.disabled) return;
    let runtime: TenantRuntime;
    try {
      runtime = compileRuntime(scope, snapshot.config, (tier, provider) => this.#logger.warn({ tenant: tenantId, tier, provider }, 'tier skipped: its provider does not exist'));
    } catch (err) {
      this.#logger.error({ err, tenant: tenantId }, 'tenant runtime does not compile; tenant not served until fixed');
      return;
    }
    this.#tenants.set(tenantId, runtime);
    for (const key of runtime.keys) this.#keys.set(key.sha256, { tenant: runtime, key });
  }

  #drop(tenantId: string): void {
    const old = this.#tenants.get(tenantId);
    if (old) for (const key of old.keys) if (this.#keys.get(key.sha256)?.tenant === old) this.#keys.delete(key.sha256);
    this.#tenants.delete(tenantId);
    this.#versions.delete(tenantId);
  }
}
