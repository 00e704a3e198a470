import { ERROR_CATALOG } from './catalog.js';
import type { GatewayError } from './gateway-error.js';

export type ClientApi = 'openai' | 'anthropic';

/** Serialises a gateway error in the body shape the client's SDK parses. */
export function renderErrorBody(api: ClientApi, err: GatewayError, requestId: string): string {
  const entry = ERROR_CATALOG[err.code];
  if (api === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: entry.anthropicType, message: err.message, code: err.code }, request_id: requestId });
  }
  return JSON.stringify({ error: { message: err.message, type: entry.openaiType, code: err.code, param: err.param } });
}

/** Headers every error response carries besides the request-id headers. */
export function errorHeaders(err: GatewayError): Record<string, string> {
  const entry = ERROR_CATALOG[err.code];
  const headers: Record<string, string> = { 'content-type': 'application/json', ...err.headers };
  if ('shouldRetry' in entry && entry.shouldRetry !== undefined) headers['x-should-retry'] = String(entry.shouldRetry);
  return headers;
}
