import { allowlistEntryProblem } from './base-url-allowlist.js';
import { formatConfigPath, type ConfigIssue } from './config-path.js';
import { toReferenceView } from './reference-view.js';
import { validateTenant } from './validate-tenant.js';

/**
 * Cross-reference checks, the second pass after the structural (zod) one. They read a lenient
 * view of the raw config (see reference-view.ts), so they also run when the structural pass
 * failed and one run reports every mistake. Every problem is collected, each with the path a
 * user can find in the YAML (`tenants[1].tiers.fast.provider: unknown provider "opneai"`).
 * Key ids and key hashes are unique across tenants: a hash in two tenants would make the
 * tenant of a request depend on lookup order.
 */
export function validateReferences(raw: unknown): ConfigIssue[] {
  const config = toReferenceView(raw);
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };

  (config.upstream?.allowedBaseUrls ?? []).forEach((entry, i) => {
    const problem = entry === null ? null : allowlistEntryProblem(entry);
    if (problem !== null) add(formatConfigPath(['upstream', 'allowedBaseUrls', i]), problem);
  });

  const jwt = config.auth?.jwt;
  if (jwt !== undefined && jwt.secret === undefined && jwt.jwksFile == null && jwt.jwksUrl == null) add('auth.jwt', 'needs secret, jwksFile or jwksUrl');
  // HS256 with a short secret is brute-forceable offline from any one token.
  if (jwt?.secret !== undefined && jwt.secret.length < 32) add('auth.jwt.secret', 'must be at least 32 characters');
  if (config.audit?.sink === 's3' && config.audit.s3 == null) add('audit.s3', 'required when audit.sink is s3');

  const dedicated = config.dedicatedTenant;
  if (dedicated !== undefined && !config.tenants.some((tenant) => tenant?.id === dedicated)) {
    add('dedicatedTenant', `unknown tenant "${dedicated}"`);
  }

  const tenantIds = new Map<string, number>();
  const keyIds = new Map<string, string>();
  const keyHashes = new Map<string, string>();
  config.tenants.forEach((tenant, i) => {
    if (tenant === null) return;
    if (tenant.id !== undefined) {
      const first = tenantIds.get(tenant.id);
      if (first !== undefined) add(formatConfigPath(['tenants', i, 'id']), `duplicate tenant id "${tenant.id}" (also tenants[${first}])`);
      else tenantIds.set(tenant.id, i);
      if (dedicated !== undefined && tenant.id !== dedicated) {
        add(formatConfigPath(['tenants', i, 'id']), `tenant "${tenant.id}" is not allowed: this instance is dedicated to tenant "${dedicated}"`);
      }
    }

    tenant.apiKeys.forEach((key, j) => {
      if (key === null) return;
      const here = formatConfigPath(['tenants', i, 'apiKeys', j]);
      if (key.id !== undefined) {
        const sameId = keyIds.get(key.id);
        if (sameId !== undefined) add(`${here}.id`, `duplicate key id "${key.id}" (also ${sameId})`);
        else keyIds.set(key.id, here);
      }
      if (key.sha256 !== undefined) {
        // The hash itself is not printed: it identifies a live credential.
        const sameHash = keyHashes.get(key.sha256);
        if (sameHash !== undefined) add(`${here}.sha256`, `duplicate key hash (also ${sameHash})`);
        else keyHashes.set(key.sha256, here);
      }
    });

    issues.push(...validateTenant(config, tenant, i));
  });

  return issues;
}
