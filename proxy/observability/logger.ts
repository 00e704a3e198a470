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

/** Creates the gateway's JSON logger. `destination` lets tests capture every line. */
export function createLogger(options: { level?: LoggerOptions['level']; destination?: NodeJS.WritableStream | { write(s: string): void } } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'workjet-gateway' },
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination as NodeJS.WritableStream) : pino(opts);
}
