import { GatewayError } from '../errors/gateway-error.js';
import { isStoreError } from '../store/store-error.js';

/**
 * The admin layer's one mapping from the store's errors to the catalog: another tenant's id
 * and a missing id are the same 404; YAML-declared entities and in-use providers are 409s;
 * a value the store refuses is a 400 naming the field. Anything else passes through.
 */
export function fromStoreError(err: unknown): unknown {
  if (!isStoreError(err)) return err;
  switch (err.code) {
    case 'not_found':
      return new GatewayError('not_found', err.message, { cause: err });
    case 'managed_by_config':
      return new GatewayError('managed_by_config', err.message, { cause: err });
    case 'in_use':
      return new GatewayError('in_use', err.message, { cause: err });
    case 'conflict':
      return new GatewayError('conflict', err.message, { cause: err });
    case 'invalid':
      return new GatewayError('invalid_request', err.message, { param: err.param ?? null, cause: err });
    case 'master_key_missing':
      return new GatewayError('invalid_request', err.message, { param: 'apiKey', cause: err });
  }
}
