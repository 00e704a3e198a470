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

/** The one access line per request: ids and outcomes only, never headers or bodies. */
export interface AccessLine {
  readonly requestId: string;
  readonly route: string;
  readonly tenant: string;
  readonly user: string | undefined;
  readonly keyId: string | undefined;
  readonly model: string | undefined;
  readonly status: number;
  readonly code: string | undefined;
  readonly disconnected: true | undefined;
  readonly latencyMs: number;
}

export type AccessLog = (line: AccessLine) => void;

/**
 * An access log writing through `logger`'s own destination, at `logger`'s level (read per line,
 * so a live level change applies). It skips pino's redaction pass: the line is a fixed set of
 * ids and outcomes, so there is nothing for it to censor, and that pass cost as much as the
 * rest of the line on every request.
 */
export function createAccessLog(logger: Logger): AccessLog {
  const stream = (logger as unknown as Record<symbol, NodeJS.WritableStream>)[pino.symbols.streamSym];
  const access = pino({ level: 'info', base: logger.bindings(), timestamp: pino.stdTimeFunctions.isoTime }, stream);
  return (line) => {
    if (logger.isLevelEnabled('info')) access.info(line, 'request');
  };
}
