import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import type { SkillRecord } from '../store/skill-entities.js';

/** A skill as the request path applies it. */
export interface ResolvedSkill {
  readonly id: string;
  readonly name: string;
  readonly systemPrompt: string;
}

/** What the cache reads: one tenant's skills, and a signal after any write to a tenant. */
export interface SkillSource {
  readonly skills: { list(scope: TenantScope): Promise<SkillRecord[]> };
  readonly sync: { onChange(listener: (tenantId: string) => void): () => void };
}

type TenantSkills = ReadonlyMap<string, ResolvedSkill>;

/**
 * The request path's per-tenant copy of skills: a tenant's skills are read from the store once
 * (on its first request naming a skill) and then served from memory, with no database query per
 * request. Any write to a tenant drops its copy: after this instance's own writes before they
 * answer, and on PostgreSQL NOTIFY from other instances (the store's `sync.onChange`), so an
 * edit, a delete or an install is what the next request sees. Lookups are by the caller's scope
 * only: another tenant's skill id is simply not in the map.
 */
export class SkillCache {
  readonly #source: SkillSource;
  readonly #ready = new Map<string, TenantSkills>();
  readonly #loading = new Map<string, Promise<TenantSkills>>();
  readonly #unsubscribe: () => void;

  constructor(source: SkillSource) {
    this.#source = source;
    this.#unsubscribe = source.sync.onChange((tenantId) => this.invalidate(tenantId));
  }

  /** The skill `id` of the scope's tenant, or undefined (another tenant's id, a listing id, no such id). */
  async resolve(scope: TenantScope, id: string): Promise<ResolvedSkill | undefined> {
    const tenantId = assertTenantScope(scope).tenantId;
    const ready = this.#ready.get(tenantId);
    if (ready) return ready.get(id);
    return (await this.#load(scope, tenantId)).get(id);
  }

  /** Drops a tenant's copy (the next lookup reads the store again). */
  invalidate(tenantId: string): void {
    this.#ready.delete(tenantId);
    this.#loading.delete(tenantId);
  }

  close(): void {
    this.#unsubscribe();
    this.#ready.clear();
    this.#loading.clear();
  }

  #load(scope: TenantScope, tenantId: string): Promise<TenantSkills> {
    const pending = this.#loading.get(tenantId);
    if (pending) return pending;
    const load = this.#source.skills.list(scope).then((skills) => {
      const map: TenantSkills = new Map(skills.map((s) => [s.id, Object.freeze({ id: s.id, name: s.name, systemPrompt: s.systemPrompt })] as const));
      // Keep it only if no write invalidated this load while it ran (else it may be stale).
      if (this.#loading.get(tenantId) === load) {
        this.#loading.delete(tenantId);
        this.#ready.set(tenantId, map);
      }
      return map;
    });
    load.catch(() => {
      if (this.#loading.get(tenantId) === load) this.#loading.delete(tenantId);
    });
    this.#loading.set(tenantId, load);
    return load;
  }
}
