import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayConfig } from '../config/schema.js';

/**
 * Connection-level limits, applied before a socket reaches the HTTP parser: a cap on open
 * connections in total and per client address (over it: `503` and close, as Envoy's overload
 * manager answers), and Node's own headers / request / keep-alive timeouts switched on (they were
 * off: `requestTimeout: 0` also disabled `headersTimeout`, so idle and slowloris sockets were held
 * until the file-descriptor limit was reached). Each refusal and timeout is counted in `/metrics`
 * and logged (throttled), so an attack is visible.
 */

type ServerLimits = GatewayConfig['server'];

/** The http.Server options that turn Node's timeouts on (headers ≤ request, as Node requires). */
export function serverTimeoutOptions(limits: ServerLimits): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = limits.requestTimeoutMs;
  const headersTimeout = Math.min(limits.headersTimeoutMs, requestTimeout);
  // Node checks expiry on this interval (default 30 s); a quarter of the shortest timeout keeps closes on time.
  const connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4)));
  return { headersTimeout, requestTimeout, keepAliveTimeout: limits.keepAliveTimeoutMs, connectionsCheckingInterval };
}

const REFUSED = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n';
const TIMED_OUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const CONTENT_TOO_LARGE = 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const LOG_EVERY_MS = 10_000;

/** The client address a per-client cap counts by (IPv4-mapped IPv6 folded to IPv4). */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

interface GuardMetrics {
  readonly open: Gauge;
  readonly rejected: Counter<'reason'>;
  readonly timeouts: Counter<'kind'>;
}

function registerMetrics(registry: Registry): GuardMetrics {
  return {
    open: new Gauge({ name: 'workjet_connections_open', help: 'Client connections open now.', registers: [registry] }),
    rejected: new Counter({
      name: 'workjet_connections_rejected_total',
      help: 'Client connections refused with 503 because a connection cap was reached (total or per client address).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    timeouts: new Counter({
      name: 'workjet_connection_timeouts_total',
      help: 'Client connections closed by a timeout: headers (408), request body (408) or keep-alive idle.',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

/** Per-socket state: whether a request's headers have arrived and its response is not yet done. */
const inRequest = new WeakSet<Socket>();

/**
 * Installs the caps and timeout accounting on `server` (created with {@link serverTimeoutOptions}).
 * Must be called before `listen`: it takes over the server's `connection` listeners so a refused
 * socket never reaches the HTTP parser (and so never runs a request).
 */
export function guardConnections(server: Server, limits: ServerLimits, deps: { registry: Registry; logger: Logger }): void {
  const metrics = registerMetrics(deps.registry);
  const perClient = new Map<string, number>();
  let open = 0;
  const lastLog = new Map<string, number>();
  const warn = (what: string, fields: Record<string, unknown>): void => {
    const now = Date.now();
    if (now - (lastLog.get(what) ?? 0) < LOG_EVERY_MS) return;
    lastLog.set(what, now);
    deps.logger.warn({ ...fields, open }, what);
  };

  const admit = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = clientAddress(socket);
    const fromClient = perClient.get(address) ?? 0;
    const reason = open >= limits.maxConnections ? 'total' : fromClient >= limits.maxConnectionsPerClient ? 'per_client' : undefined;
    if (reason !== undefined) {
      metrics.rejected.inc({ reason });
      warn('connection cap reached: new connections get 503', { reason, maxConnections: limits.maxConnections, maxConnectionsPerClient: limits.maxConnectionsPerClient });
      socket.on('error', () => undefined);
      socket.end(REFUSED);
      socket.setTimeout(1000, () => socket.destroy());
      return;
    }
    open++;
    perClient.set(address, fromClient + 1);
    metrics.open.set(open);
    socket.once('close', () => {
      open--;
      const left = (perClient.get(address) ?? 1) - 1;
      if (left <= 0) perClient.delete(address);
      else perClient.set(address, left);
      metrics.open.set(open);
    });
    for (const listener of admit) listener.call(server, socket);
  });

  server.on('request', (req, res) => {
    const socket = req.socket;
    inRequest.add(socket);
    res.once('finish', () => inRequest.delete(socket));
  });

  // With a listener here Node no longer answers parser errors itself: answer as it does.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    let answer = BAD_REQUEST;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const kind = inRequest.has(socket) ? 'request' : 'headers';
      metrics.timeouts.inc({ kind });
      warn('client too slow: connection closed with 408', { kind });
      answer = TIMED_OUT;
    } else if (err.code === 'HPE_HEADER_OVERFLOW') answer = HEADERS_TOO_LARGE;
    else if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') answer = CONTENT_TOO_LARGE;
    const responding = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && responding?.headersSent !== true) socket.end(answer);
    socket.destroy();
  });

  // Node emits `timeout` on the server for an idle keep-alive socket; with a listener, closing it is ours.
  server.on('timeout', (socket: Socket) => {
    if (!inRequest.has(socket)) metrics.timeouts.inc({ kind: 'keep_alive' });
    socket.destroy();
  });
}
