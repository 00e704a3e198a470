import { z } from 'zod';
import type { TenantStore } from '../store/tenant-store.js';
import type { TenantScope } from '../identity/tenant-scope.js';
import { defineEndpoint, type AdminCall, type AdminEndpoint, type AdminTarget } from './admin-endpoint.js';
import { createUserBody, patchUserBody, userView } from './admin-schemas.js';
import { findOrUndefined } from './target-lookup.js';

/** A string field of the not-yet-validated body, for the policy input only (validation follows). */
function rawString(call: AdminCall, field: string): string | undefined {
  const body = call.rawBody;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

async function ownerCount(store: TenantStore, scope: TenantScope): Promise<number> {
  return (await store.users.list(scope)).filter((u) => u.role === 'owner').length;
}

/**
 * What the users rules of the policy (policies/users.rego) need: the target's current role,
 * the role asked for and the tenant's owner count. The rules themselves live in Rego.
 */
async function userTarget(store: TenantStore, call: AdminCall, mode: 'create' | 'change' | 'remove'): Promise<AdminTarget> {
  const scope = call.tenant.scope;
  const newRole = mode === 'remove' ? undefined : rawString(call, 'role');
  const owners = await ownerCount(store, scope);
  if (mode === 'create') {
    const id = rawString(call, 'id') ?? '';
    return { exists: true, id, facts: { ...(newRole === undefined ? {} : { new_role: newRole }), owner_count: owners } };
  }
  const id = call.params['id'] ?? '';
  const user = await findOrUndefined(store.users.get(scope, id));
  if (!user) return { exists: false, id };
  return { exists: true, id, facts: { role: user.role, ...(newRole === undefined ? {} : { new_role: newRole }), owner_count: owners } };
}

/**
 * `/admin/v1/users`: list, add, change role, remove (with every key of that user). No
 * escalation, no own-role change, the last owner stays: the policy decides, with the facts
 * `userTarget` adds to its input.
 */
export function userEndpoints(store: TenantStore): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/users',
      action: 'users.read',
      resourceType: 'user',
      summary: "List the tenant's users and their roles.",
      answer: z.object({ data: z.array(userView) }),
      answerStatus: 200,
      handle: async (call) => ({ status: 200, body: { data: (await store.users.list(call.tenant.scope)).map((u) => ({ id: u.id, role: u.role, source: u.source })) } }),
    },
    defineEndpoint({
      method: 'POST',
      path: '/admin/v1/users',
      action: 'users.write',
      resourceType: 'user',
      summary: 'Add a user (creating an owner needs roles.owner.write).',
      body: createUserBody,
      answer: userView,
      answerStatus: 201,
      target: (call) => userTarget(store, call, 'create'),
      async handle(call) {
        const user = await store.users.create(call.tenant.scope, call.body);
        const view = { id: user.id, role: user.role, source: user.source };
        return { status: 201, body: view, change: { target: user.id, before: null, after: view } };
      },
    }),
    defineEndpoint({
      method: 'PATCH',
      path: '/admin/v1/users/:id',
      action: 'users.write',
      resourceType: 'user',
      summary: "Change a user's role (to or from owner needs roles.owner.write; never your own; never the last owner).",
      body: patchUserBody,
      answer: userView,
      answerStatus: 200,
      target: (call) => userTarget(store, call, 'change'),
      async handle(call) {
        const id = call.params['id'] ?? '';
        const change = await store.users.update(call.tenant.scope, id, { role: call.body.role });
        const after = change.after;
        return { status: 200, body: after && { id: after.id, role: after.role, source: after.source }, change: { target: id, before: change.before ?? null, after: after ?? null } };
      },
    }),
    {
      method: 'DELETE',
      path: '/admin/v1/users/:id',
      action: 'users.write',
      resourceType: 'user',
      summary: 'Remove a user; their keys are revoked with it.',
      answerStatus: 204,
      target: (call) => userTarget(store, call, 'remove'),
      async handle(call) {
        const id = call.params['id'] ?? '';
        const change = await store.users.delete(call.tenant.scope, id);
        return { status: 204, change: { target: id, before: change.before ?? null, after: null } };
      },
    },
  ];
}
