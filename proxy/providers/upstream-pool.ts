import type { EventEmitter } from 'node:events';
import { Pool } from 'undici';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayConfig } from '../config/schema.js';
import type { UpstreamRequest } from './provider-adapter.js';
import { guardedConnector } from './ssrf-guard.js';
import { startDemoServer, type DemoServer, type DemoServerOptions } from './demo/demo-server.js';
import { ClientGoneError, UpstreamExchange, type UpstreamResponse } from './upstream-exchange.js';

export type UpstreamTimeouts = Pick<GatewayConfig['upstream'], 'connectTimeoutMs' | 'firstByteTimeoutMs' | 'idleTimeoutMs'>;

export interface UpstreamPoolOptions {
  readonly timeouts: UpstreamTimeouts;
  /** Max sockets per provider origin (undefined = unlimited, undici's default). */
  readonly connectionsPerOrigin?: number;
  /** How long an idle keep-alive socket is kept. */
  readonly keepAliveTimeoutMs?: number;
  readonly demo?: DemoServerOptions;
}

/** What can abort an upstream request: an AbortSignal, or an emitter of `abort` with the same flag. */
export type UpstreamAbort = AbortSignal | (EventEmitter & { readonly aborted: boolean });

export interface SendOptions {
  readonly signal: UpstreamAbort;
  /** First-byte timeout for this request (else the pool's). */
  readonly headersTimeoutMs?: number | undefined;
  /** Idle-body timeout for this request (else the pool's). */
  readonly bodyTimeoutMs?: number | undefined;
  /** A base URL a tenant set over the admin API (not on the operator's allowlist): connect through the SSRF guard. */
  readonly ssrfGuard?: boolean | undefined;
}

/**
 * One keep-alive undici Pool per provider origin, shared by every tenant that uses that
 * origin (connections carry no credentials; each request sets its own key header). Also
 * owns the lazily started demo provider so `close()` releases everything.
 */
export class UpstreamPool {
  readonly #pools = new Map<string, Pool>();
  readonly #options: UpstreamPoolOptions;
  #demo: Promise<DemoServer> | undefined;
  #closed = false;

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
  }

  // Guarded and unguarded pools never share sockets: an operator-configured origin must not
  // lend a connection to a tenant-set URL of the same origin, or the reverse.
  #poolFor(origin: string, ssrfGuard: boolean): Pool {
    const key = ssrfGuard ? `guarded ${origin}` : origin;
    let pool = this.#pools.get(key);
    if (!pool) {
      const t = this.#options.timeouts;
      pool = new Pool(origin, {
        connections: this.#options.connectionsPerOrigin ?? null,
        keepAliveTimeout: this.#options.keepAliveTimeoutMs ?? 30_000,
        headersTimeout: t.firstByteTimeoutMs,
        bodyTimeout: t.idleTimeoutMs,
        connect: ssrfGuard ? guardedConnector({ timeout: t.connectTimeoutMs }) : { timeout: t.connectTimeoutMs },
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Sends one upstream request; resolves with the answer's head once it arrives, its body still
   * streaming in. Rejects with the raw undici error (see mapUpstreamError), or ClientGoneError
   * when `signal` fires first.
   */
  send(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse> {
    if (this.#closed) return Promise.reject(new GatewayError('upstream_error', 'The gateway is shutting down.'));
    if (options.signal.aborted) return Promise.reject(new ClientGoneError());
    const pool = this.#poolFor(request.origin, options.ssrfGuard === true);
    return new Promise((resolve, reject) => {
      const exchange = new UpstreamExchange(options.signal, resolve, reject);
      try {
        pool.dispatch(
          {
            origin: request.origin,
            path: request.path,
            method: request.method,
            headers: request.headers,
            body: request.body ?? null,
            headersTimeout: options.headersTimeoutMs ?? null,
            bodyTimeout: options.bodyTimeoutMs ?? null,
          },
          exchange,
        );
      } catch (err) {
        exchange.refuse(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Base URL of the built-in demo provider, started on first use. */
  demoBaseUrl(): Promise<string> {
    if (this.#closed) return Promise.reject(new GatewayError('upstream_error', 'The gateway is shutting down.'));
    this.#demo ??= startDemoServer(this.#options.demo);
    return this.#demo.then((demo) => demo.baseUrl);
  }

  /** Closes every pool (in-flight requests are destroyed) and the demo server. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
    const demo = this.#demo;
    this.#demo = undefined;
    if (demo) await (await demo).close();
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a transport failure into a catalog error: timeouts (connect, first byte, idle body)
 * → 504 `upstream_timeout`, anything else (refused, reset, TLS, DNS) → 502 `upstream_error`.
 * Messages name the provider, never its URL or key.
 */
export function mapUpstreamError(err: unknown, provider: string, phase: 'request' | 'body' = 'request'): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = errorCode(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting to' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for the first byte from' : 'waiting for more data from';
    return new GatewayError('upstream_timeout', `Timed out ${what} provider '${provider}'.`, { cause: err });
  }
  const message = phase === 'body' ? `Provider '${provider}' broke off its response.` : `Provider '${provider}' could not be reached.`;
  return new GatewayError('upstream_error', message, { cause: err });
}
