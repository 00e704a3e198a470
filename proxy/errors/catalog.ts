/**
 * The closed catalog of gateway error codes. One code maps to one HTTP status and to the
 * error `type` each client API expects; metrics and audit records use the same code.
 */
export interface CatalogEntry {
  readonly status: number;
  /** `error.type` on OpenAI routes. */
  readonly openaiType: string;
  /** `error.type` on Anthropic routes. */
  readonly anthropicType: string;
  /** Whether SDKs should retry (sent as `x-should-retry`). Undefined leaves the SDK default. */
  readonly shouldRetry?: boolean;
}

export const ERROR_CATALOG = {
  invalid_request: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  dlp_blocked: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error', shouldRetry: false },
  invalid_api_key: { status: 401, openaiType: 'invalid_request_error', anthropicType: 'authentication_error' },
  policy_denied: { status: 403, openaiType: 'permission_error', anthropicType: 'permission_error', shouldRetry: false },
  model_not_found: { status: 404, openaiType: 'invalid_request_error', anthropicType: 'not_found_error' },
  not_found: { status: 404, openaiType: 'invalid_request_error', anthropicType: 'not_found_error' },
  method_not_allowed: { status: 405, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  conflict: { status: 409, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  managed_by_config: { status: 409, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  in_use: { status: 409, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  request_too_large: { status: 413, openaiType: 'invalid_request_error', anthropicType: 'request_too_large' },
  rate_limit_exceeded: { status: 429, openaiType: 'requests', anthropicType: 'rate_limit_error' },
  budget_exceeded: { status: 429, openaiType: 'insufficient_quota', anthropicType: 'rate_limit_error', shouldRetry: false },
  internal_error: { status: 500, openaiType: 'server_error', anthropicType: 'api_error' },
  policy_error: { status: 500, openaiType: 'server_error', anthropicType: 'api_error', shouldRetry: false },
  upstream_error: { status: 502, openaiType: 'server_error', anthropicType: 'api_error' },
  dependency_unavailable: { status: 503, openaiType: 'server_error', anthropicType: 'api_error' },
  audit_unavailable: { status: 503, openaiType: 'server_error', anthropicType: 'api_error' },
  overloaded: { status: 503, openaiType: 'server_error', anthropicType: 'overloaded_error' },
  upstream_timeout: { status: 504, openaiType: 'server_error', anthropicType: 'timeout_error' },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, value);
}
