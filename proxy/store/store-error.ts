/**
 * The store's one error type. The admin layer maps `code` to the gateway's error catalog
 * (`not_found` → 404 not_found, `managed_by_config` → 409, `in_use` → 409, `conflict` → 409,
 * `invalid` → 400 invalid_request with `param`, `master_key_missing` → 400 invalid_request
 * with the message as is). Messages never contain a secret.
 */
export type StoreErrorCode =
  /** The id is not in the caller's tenant (or does not exist): answer 404, never disclose which. */
  | 'not_found'
  /** The entity (or setting) is declared in the YAML file: read-only over the API. */
  | 'managed_by_config'
  /** A provider a tier (or a tier a fallback) still uses. */
  | 'in_use'
  /** An id that already exists (a user, a tenant). */
  | 'conflict'
  /** A value the store refuses (unknown provider of a tier, unknown user of a key, a DLP pattern RE2 rejects…); `param` names the field. */
  | 'invalid'
  /** A provider key was given but `WORKJET_MASTER_KEY` is not set (or not 32 bytes of base64). */
  | 'master_key_missing';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The request field at fault (`provider`, `customPatterns[0].pattern`), for `invalid`. */
    readonly param?: string,
  ) {
    super(message);
  }
}

/** Narrowing helper for the admin layer's error mapping. */
export function isStoreError(err: unknown): err is StoreError {
  return err instanceof StoreError;
}
