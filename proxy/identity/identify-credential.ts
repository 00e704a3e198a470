import { GatewayError } from '../errors/gateway-error.js';
import type { Principal } from '../core/vocabulary.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SessionVerifier } from './session-verifier.js';
import { hashApiKey, apiKeyHashesEqual, API_KEY_PREFIX } from './api-keys.js';

/**
 * Who a credential belongs to: an API key or a session token resolved to a principal. Shared by
 * the model pipeline's `identify` stage and the admin router (its own door), so neither reaches
 * into the other: this is the one place a credential becomes a tenant.
 */

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_api_key', message);
}

/** The credential of a request: `x-api-key` (Anthropic SDK) or `Authorization: Bearer` (OpenAI SDKs, Anthropic authToken). */
export function extractCredential(headers: Record<string, string | string[] | undefined>): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey.trim();
  const auth = headers['authorization'];
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
  return undefined;
}

/**
 * Resolves the credential to a principal. Only the credential decides the tenant: headers like
 * `x-tenant-id` or `X-Forwarded-*` are never read here.
 */
export async function identify(registry: TenantRegistry, sessions: SessionVerifier | undefined, headers: Record<string, string | string[] | undefined>, now: number): Promise<Principal> {
  const credential = extractCredential(headers);
  if (credential === undefined) throw invalid('Missing API key. Pass it as "Authorization: Bearer wj_…" or "x-api-key".');
  if (credential.startsWith(API_KEY_PREFIX)) return identifyApiKey(registry, credential, now);
  if (sessions && credential.split('.').length === 3) {
    const claims = await sessions.verify(credential);
    const tenant = claims ? registry.findTenantForSession(claims.tenantId) : undefined;
    const role = claims && tenant ? tenant.users.get(claims.user) : undefined;
    if (!claims || !tenant || !role) throw invalid('Invalid session token.');
    return Object.freeze({ type: 'session', id: `session:${claims.tokenId ?? claims.user}`, user: claims.user, role, tenantId: tenant.config.id, plan: tenant.config.plan, scope: tenant.scope });
  }
  throw invalid('Incorrect API key provided.');
}

function identifyApiKey(registry: TenantRegistry, credential: string, now: number): Principal {
  const hash = hashApiKey(credential);
  const found = registry.findKeyByHash(hash);
  // The map lookup finds the candidate; the constant-time compare is the actual check.
  if (!found || !apiKeyHashesEqual(hash, found.key.sha256)) throw invalid('Incorrect API key provided.');
  const { tenant, key } = found;
  if (key.revoked) throw invalid('This API key has been revoked.');
  if (key.expiresAtMs !== undefined && key.expiresAtMs <= now) throw invalid('This API key has expired.');
  const role = tenant.users.get(key.user);
  if (!role) throw invalid('Incorrect API key provided.');
  return Object.freeze({ type: 'api_key', id: key.id, user: key.user, role, tenantId: tenant.config.id, plan: tenant.config.plan, scope: tenant.scope });
}
