import { baseUrlProblem, isBaseUrlAllowed } from '../config/base-url-allowlist.js';
import { forbiddenHostReason } from '../providers/ssrf-guard.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * A base URL a tenant admin sets: an http(s) URL without credentials that is either under an
 * `upstream.allowedBaseUrls` entry (trusted as is, e.g. the operator's local vLLM) or names no
 * internal address in any spelling. A hostname is checked again on the address it resolves to
 * when the gateway connects (ssrf-guard.ts), so DNS cannot turn a passing name internal later.
 */
export function checkApiBaseUrl(value: string, allowlist: readonly string[]): void {
  const problem = baseUrlProblem(value, []);
  if (problem !== null) throw new GatewayError('invalid_request', `baseUrl: ${problem}`, { param: 'baseUrl' });
  const url = new URL(value);
  if (allowlist.length > 0 && isBaseUrlAllowed(url, allowlist)) return;
  const reason = forbiddenHostReason(url);
  if (reason !== null) {
    throw new GatewayError('invalid_request', `baseUrl: ${url.host} ${reason}; only public addresses (or an origin in upstream.allowedBaseUrls) may be set over the API`, { param: 'baseUrl' });
  }
}
