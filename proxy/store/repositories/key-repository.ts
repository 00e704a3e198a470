import { randomBytes } from 'node:crypto';
import { generateApiKey, hashApiKey } from '../../identity/api-keys.js';
import { Secret } from '../../identity/secret.js';
import type { KeyRepository } from '../tenant-store.js';
import { toApiKey } from '../row-mapping.js';
import { assertApiOwned, found, nowIso, type ScopedRunner } from '../scoped-runner.js';
import type { ScopedDb } from '../scoped-db.js';
import { StoreError } from '../store-error.js';

/** A key id: `key_` + 16 hex characters (not secret: it names the key in lists and audit). */
function newKeyId(): string {
  return `key_${randomBytes(8).toString('hex')}`;
}

async function keyRow(db: ScopedDb, id: string) {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Creates a key inside an open scoped transaction (shared with the operator door). */
export async function insertApiKey(db: ScopedDb, input: { user: string; name?: string | undefined; expiresAt?: string | undefined; createdBy: string | null }) {
  const user = await db.selectFrom('users').select('id').where('id', '=', input.user).executeTakeFirst();
  if (!user) throw new StoreError('invalid', `unknown user "${input.user}"`, 'user');
  if (input.expiresAt !== undefined) {
    const at = Date.parse(input.expiresAt);
    if (Number.isNaN(at)) throw new StoreError('invalid', 'must be an ISO-8601 date-time', 'expiresAt');
    if (at <= Date.now()) throw new StoreError('invalid', 'must be in the future', 'expiresAt');
  }
  const key = generateApiKey();
  const row = {
    id: newKeyId(),
    user_id: input.user,
    name: input.name ?? null,
    sha256: hashApiKey(key),
    created_at: nowIso(),
    expires_at: input.expiresAt === undefined ? null : new Date(Date.parse(input.expiresAt)).toISOString(),
    revoked: 0 as const,
    created_by: input.createdBy,
    source: 'api' as const,
  };
  await db.insertInto('api_keys', [row]).execute();
  return { ...toApiKey({ ...row, tenant_id: db.tenantId }), key: new Secret(key) };
}

/** API keys of the scope's tenant: SHA-256 only, revocable, with an optional expiry. */
export function createKeyRepository(run: ScopedRunner): KeyRepository {
  return {
    list: (scope) => run.read(scope, async (db) => (await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute()).map(toApiKey)),
    get: (scope, id) => run.read(scope, async (db) => toApiKey(found(await keyRow(db, id), `key "${id}"`))),
    create: (scope, input) => run.write(scope, (db) => insertApiKey(db, input)),
    revoke: (scope, id) =>
      run.write(scope, async (db) => {
        const before = found(await keyRow(db, id), `key "${id}"`);
        assertApiOwned(before, `key "${id}"`);
        await db.updateTable('api_keys').set({ revoked: 1 }).where('id', '=', id).execute();
        return { before: toApiKey(before), after: toApiKey({ ...before, revoked: 1 }) };
      }),
  };
}
