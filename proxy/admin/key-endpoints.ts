import { z } from 'zod';
import type { TenantStore } from '../store/tenant-store.js';
import type { ApiKeyRecord } from '../store/entities.js';
import { defineEndpoint, type AdminEndpoint } from './admin-endpoint.js';
import { createKeyBody, createdKeyView, keyView } from './admin-schemas.js';
import { GatewayError } from '../errors/gateway-error.js';
import { exists } from './target-lookup.js';

/** The list view of a key: never its hash, never the key. */
function keyJson(k: ApiKeyRecord): z.output<typeof keyView> {
  return { id: k.id, user: k.user, name: k.name, createdAt: k.createdAt, expiresAt: k.expiresAt, revoked: k.revoked, source: k.source };
}

/**
 * `/admin/v1/keys`: list, create (the `wj_…` key is in the 201 answer and nowhere else; the
 * store keeps its SHA-256), revoke (204; every instance refuses it within 1 s).
 */
export function keyEndpoints(store: TenantStore): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/keys',
      action: 'keys.read',
      resourceType: 'key',
      summary: "List the tenant's API keys (revoked and expired included); never a hash or a key.",
      answer: z.object({ data: z.array(keyView) }),
      answerStatus: 200,
      handle: async (call) => ({ status: 200, body: { data: (await store.keys.list(call.tenant.scope)).map(keyJson) } }),
    },
    defineEndpoint({
      method: 'POST',
      path: '/admin/v1/keys',
      action: 'keys.write',
      resourceType: 'key',
      summary: 'Create a key for a user of the tenant; the plaintext key is returned in this answer only.',
      body: createKeyBody,
      answer: createdKeyView,
      answerStatus: 201,
      async handle(call) {
        const { user, name, expiresAt } = call.body;
        if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) throw new GatewayError('invalid_request', 'expiresAt: must be in the future', { param: 'expiresAt' });
        const created = await store.keys.create(call.tenant.scope, { user, name, expiresAt, createdBy: call.principal.user });
        const { key, ...record } = created;
        return {
          status: 201,
          body: { id: record.id, key: key.reveal(), user: record.user, name: record.name, createdAt: record.createdAt, expiresAt: record.expiresAt },
          change: { target: record.id, before: null, after: keyJson(record) },
        };
      },
    }),
    {
      method: 'DELETE',
      path: '/admin/v1/keys/:id',
      action: 'keys.write',
      resourceType: 'key',
      summary: 'Revoke a key; every instance refuses it within 1 s.',
      answerStatus: 204,
      target: (call) => exists(store.keys.get(call.tenant.scope, call.params['id'] ?? '')),
      async handle(call) {
        const id = call.params['id'] ?? '';
        const change = await store.keys.revoke(call.tenant.scope, id);
        return { status: 204, change: { target: id, before: change.before && keyJson(change.before), after: change.after && keyJson(change.after) } };
      },
    },
  ];
}
