import type { UserRepository } from '../tenant-store.js';
import { toUser } from '../row-mapping.js';
import { assertApiOwned, found, nowIso, type ScopedRunner } from '../scoped-runner.js';
import type { ScopedDb } from '../scoped-db.js';
import { StoreError } from '../store-error.js';

async function userRow(db: ScopedDb, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Users and roles of the scope's tenant. Escalation rules are the policy's; the store keeps ownership and consistency. */
export function createUserRepository(run: ScopedRunner): UserRepository {
  return {
    list: (scope) => run.read(scope, async (db) => (await db.selectFrom('users').selectAll().orderBy('id').execute()).map(toUser)),
    get: (scope, id) => run.read(scope, async (db) => toUser(found(await userRow(db, id), `user "${id}"`))),
    create: (scope, input) =>
      run.write(scope, async (db) => {
        if (await userRow(db, input.id)) throw new StoreError('conflict', `user "${input.id}" already exists`, 'id');
        await db.insertInto('users', [{ id: input.id, role: input.role, source: 'api', created_at: nowIso() }]).execute();
        return toUser({ id: input.id, role: input.role, source: 'api' });
      }),
    update: (scope, id, patch) =>
      run.write(scope, async (db) => {
        const before = found(await userRow(db, id), `user "${id}"`);
        assertApiOwned(before, `user "${id}"`);
        await db.updateTable('users').set({ role: patch.role }).where('id', '=', id).execute();
        return { before: toUser(before), after: toUser({ ...before, role: patch.role }) };
      }),
    delete: (scope, id) =>
      run.write(scope, async (db) => {
        const before = found(await userRow(db, id), `user "${id}"`);
        assertApiOwned(before, `user "${id}"`);
        // A removed user's keys stop working with it (revoked, kept for the audit trail).
        await db.updateTable('api_keys').set({ revoked: 1 }).where('user_id', '=', id).execute();
        await db.deleteFrom('users').where('id', '=', id).execute();
        return { before: toUser(before), after: undefined };
      }),
  };
}
