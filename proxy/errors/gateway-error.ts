import { ERROR_CATALOG, type ErrorCode } from './catalog.js';

/**
 * The one error type of the gateway. A stage rejects a request by throwing it; the runner
 * renders it in the client's API shape. `message` is shown to the client, so it must never
 * carry secrets or matched prompt text.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: { param?: string | null; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

/** Turns anything thrown into a catalog error; unknown errors become a detail-free 500. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('internal_error', 'The gateway failed to process the request.', { cause: err });
}
