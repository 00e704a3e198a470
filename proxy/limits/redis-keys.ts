import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import type { LimitSubject } from './rate-limit-store.js';

/**
 * Redis key names. Every key starts `wj:{<tenantId>}:` — the braces are a Redis Cluster hash
 * tag, so all of one tenant's keys share a slot and one Lua script may touch them together.
 * Subject ids are percent-encoded so a user id can never reshape a key.
 */
export function tenantPrefix(scope: TenantScope): string {
  return `wj:{${assertTenantScope(scope).tenantId}}:`;
}

/** The three keys of one subject's sliding window log. */
export function rateLimitKeys(scope: TenantScope, subject: LimitSubject): { req: string; tok: string; sum: string } {
  const base = `${tenantPrefix(scope)}rl:${subject.kind}:${encodeURIComponent(subject.id)}:`;
  return { req: `${base}req`, tok: `${base}tok`, sum: `${base}toksum` };
}

/** The keys of one tenant's month in the spend ledger. */
export function spendKeys(scope: TenantScope, month: string): { month: string; reservations: string; amounts: string } {
  const base = `${tenantPrefix(scope)}spend:${month}`;
  return { month: base, reservations: `${base}:res`, amounts: `${base}:resamt` };
}
