import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino must never print. Secrets are already typed (`Secret` prints `[REDACTED]`), so this
 * is the second net: any header or field that can carry a credential is censored by name.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.secretAccessKey',
  '*.token',
  '*.password',
  'apiKey',
  'token',
  'secret',
];

export interface CreateLoggerOptions {
  readonly level?: LoggerOptions['level'];
  /** Where lines go instead of stdout (tests capture every line this way). */
  readonly destination?: NodeJS.WritableStream | { write(s: string): void };
  /**
   * Write stdout asynchronously (the server's access log): lines logged while a write is in
   * flight go out together in the next one, instead of one blocking write per request. pino
   * flushes what is buffered on exit; a SIGKILL can lose the last lines, never an audit record.
   */
  readonly asyncStdout?: boolean;
}

/** Creates the gateway's JSON logger. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'workjet-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(opts, options.destination as NodeJS.WritableStream);
  return options.asyncStdout ? pino(opts, pino.destination({ dest: 1, sync: false })) : pino(opts);
}
