import { GatewayError } from '../errors/gateway-error.js';

/** A client field the target API cannot express: 400 naming it (never a silent drop). */
export function untranslatable(param: string, why: string): GatewayError {
  return new GatewayError('invalid_request', `'${param}' cannot be translated for this tier's provider: ${why}`, { param });
}

/** A client field of the wrong shape, found while translating. */
export function malformed(param: string, why: string): GatewayError {
  return new GatewayError('invalid_request', `'${param}' ${why}`, { param });
}
