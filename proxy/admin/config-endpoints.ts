import type { AdminEndpoint, AdminCall } from './admin-endpoint.js';

/**
 * Read endpoints over the tenant's static configuration. Each answer says `source: "config"`
 * (the YAML file is the source of truth for these settings). Provider keys are never returned.
 */
function list(call: AdminCall, data: unknown[]): { status: number; body: unknown } {
  return { status: 200, body: { object: 'list', tenant: call.tenant.config.id, source: 'config', data } };
}

export const CONFIG_ENDPOINTS: readonly AdminEndpoint[] = [
  {
    method: 'GET',
    path: '/admin/v1/keys',
    action: 'keys.read',
    resourceType: 'keys',
    handle: (call) =>
      list(
        call,
        call.tenant.config.apiKeys.map((k) => ({ id: k.id, user: k.user, revoked: k.revoked, expires_at: k.expiresAt ?? null })),
      ),
  },
  {
    method: 'GET',
    path: '/admin/v1/users',
    action: 'users.read',
    resourceType: 'users',
    handle: (call) => list(call, call.tenant.config.users.map((u) => ({ id: u.id, role: u.role }))),
  },
  {
    method: 'GET',
    path: '/admin/v1/routing',
    action: 'routing.read',
    resourceType: 'routing',
    handle: (call) => ({
      status: 200,
      body: {
        tenant: call.tenant.config.id,
        source: 'config',
        tiers: call.tenant.config.tiers,
        // Write-only secrets: only whether a key is set is shown.
        providers: Object.fromEntries(
          [...call.tenant.providers.values()].map((p) => [p.name, { type: p.type, baseUrl: p.baseUrl ?? null, apiKeySet: p.apiKey !== undefined }]),
        ),
      },
    }),
  },
  {
    method: 'GET',
    path: '/admin/v1/dlp',
    action: 'dlp.read',
    resourceType: 'dlp',
    handle: (call) => ({ status: 200, body: { tenant: call.tenant.config.id, source: 'config', ...call.tenant.config.dlp } }),
  },
  {
    method: 'GET',
    path: '/admin/v1/limits',
    action: 'limits.read',
    resourceType: 'limits',
    handle: (call) => ({ status: 200, body: { tenant: call.tenant.config.id, source: 'config', rateLimits: call.tenant.config.rateLimits } }),
  },
];
