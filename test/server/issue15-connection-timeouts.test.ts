import t from 'tap';
import { connect, type Socket } from 'node:net';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';

interface Watched {
  readonly socket: Socket;
  /** Everything the gateway wrote on this socket. */
  received: string;
  /** ms from open to close, once closed. */
  closedAfterMs: number | undefined;
  readonly closed: Promise<void>;
}

/** A raw TCP client from `localAddress` (any 127.x address works on Linux loopback), recording what it gets and when it is closed. */
function open(port: number, localAddress: string): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let onClose: () => void = () => undefined;
    const watched: Watched = { socket, received: '', closedAfterMs: undefined, closed: new Promise((r) => (onClose = r)) };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (watched.received += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      watched.closedAfterMs = performance.now() - started;
      onClose();
    });
    socket.once('connect', () => resolve(watched));
    socket.once('error', reject);
  });
}

/** Sends one header line every `everyMs` until the socket closes (a slowloris client). */
function trickleHeaders(w: Watched, everyMs: number): void {
  w.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n');
  let n = 0;
  const timer = setInterval(() => {
    if (w.socket.destroyed) return clearInterval(timer);
    w.socket.write(`x-slow-${n++}: y\r\n`);
  }, everyMs);
  void w.closed.then(() => clearInterval(timer));
}

async function metricsText(origin: string): Promise<string> {
  return (await fetch(`${origin}/metrics`)).text();
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

t.test('issue15-2 connection-timeouts: slow and idle clients are closed on time, with 408, counted in /metrics', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const server = { headersTimeoutMs: 600, requestTimeoutMs: 1200, keepAliveTimeoutMs: 500, maxConnections: 5000, maxConnectionsPerClient: 4000 };
  const gw = await startGateway(t, { ...config, server });
  const port = Number(new URL(gw.origin).port);

  t.test('2,000 idle sockets and 50 slow-header clients are closed on time; /healthz keeps answering', async (t) => {
    const idle: Watched[] = [];
    for (let i = 0; i < 2000; i++) idle.push(await open(port, '127.0.0.2'));
    const slow: Watched[] = [];
    for (let i = 0; i < 50; i++) {
      const w = await open(port, '127.0.0.3');
      trickleHeaders(w, 100);
      slow.push(w);
    }
    let worstHealthMs = 0;
    let healthFailures = 0;
    const probing = (async () => {
      const until = performance.now() + 2500;
      while (performance.now() < until) {
        const started = performance.now();
        const res = await fetch(`${gw.origin}/healthz`).catch(() => undefined);
        if (res?.status !== 200) healthFailures++;
        await res?.arrayBuffer();
        worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const allClosed = Promise.all([...idle, ...slow].map((w) => w.closed));
    const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), 5000));
    t.not(await Promise.race([allClosed, deadline]), 'late', 'every socket closed within 5 s');
    await probing;
    for (const w of [...idle, ...slow]) w.socket.destroy();
    const late = [...idle, ...slow].filter((w) => (w.closedAfterMs ?? Infinity) > 600 + 2000).length;
    t.equal(late, 0, 'none closed later than headersTimeout + 2 s (loaded machine)');
    t.ok(slow.every((w) => w.received.startsWith('HTTP/1.1 408')), 'slow-header clients got 408');
    t.equal(healthFailures, 0, '/healthz answered every probe');
    t.ok(worstHealthMs < 1000, `/healthz worst latency ${worstHealthMs.toFixed(0)} ms`);
    const metrics = await metricsText(gw.origin);
    t.ok(metricValue(metrics, 'workjet_connection_timeouts_total', 'kind="headers"') >= 2050, 'headers timeouts counted');
  });

  t.test('a body trickled slower than requestTimeoutMs gets 408 and close', async (t) => {
    const w = await open(port, '127.0.0.1');
    const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(500) }] });
    w.socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${keys.acmeMember}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let i = 0;
    const timer = setInterval(() => (w.socket.destroyed ? clearInterval(timer) : w.socket.write(body.slice(i, ++i))), 50);
    await w.closed;
    clearInterval(timer);
    t.match(w.received, /^HTTP\/1\.1 408/);
    t.ok((w.closedAfterMs ?? 0) < 1200 + 2000, `closed after ${w.closedAfterMs?.toFixed(0)} ms`);
    t.ok(metricValue(await metricsText(gw.origin), 'workjet_connection_timeouts_total', 'kind="request"') >= 1);
  });

  t.test('an idle keep-alive connection is closed after keepAliveTimeoutMs', async (t) => {
    const w = await open(port, '127.0.0.1');
    w.socket.write('GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n');
    await w.closed;
    t.match(w.received, /^HTTP\/1\.1 200/);
    t.ok((w.closedAfterMs ?? 0) >= 400 && (w.closedAfterMs ?? 0) < 500 + 2000, `closed after ${w.closedAfterMs?.toFixed(0)} ms`);
    t.ok(metricValue(await metricsText(gw.origin), 'workjet_connection_timeouts_total', 'kind="keep_alive"') >= 1);
  });
});

t.test('issue15-2 connection-caps: over the total or per-address cap a connection gets 503 and close; others are served', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config } = twoTenants(fake);
  const gw = await startGateway(t, { ...config, server: { maxConnections: 12, maxConnectionsPerClient: 5 } });
  const port = Number(new URL(gw.origin).port);
  const held: Watched[] = [];
  t.teardown(() => held.forEach((w) => w.socket.destroy()));
  for (let i = 0; i < 5; i++) held.push(await open(port, '127.0.0.2'));
  const sixth = await open(port, '127.0.0.2');
  await sixth.closed;
  t.match(sixth.received, /^HTTP\/1\.1 503/, 'the 6th connection from one address gets 503');
  t.match(sixth.received, /connection: close/i);
  const other = await fetch(`${gw.origin}/healthz`);
  t.equal(other.status, 200, 'another address is still served');
  for (let i = 0; i < 5; i++) held.push(await open(port, '127.0.0.3'));
  // 10 held + this probe's own: fill to 12 with one more address, then the 13th is refused.
  held.push(await open(port, '127.0.0.4'));
  held.push(await open(port, '127.0.0.4'));
  const over = await open(port, '127.0.0.5');
  await over.closed;
  t.match(over.received, /^HTTP\/1\.1 503/, 'over the total cap → 503');
  held.forEach((w) => w.socket.destroy());
  await Promise.all(held.map((w) => w.closed));
  await new Promise((r) => setTimeout(r, 50));
  const metrics = await metricsText(gw.origin);
  t.ok(metricValue(metrics, 'workjet_connections_rejected_total', 'reason="per_client"') >= 1, 'per-client refusals counted');
  t.ok(metricValue(metrics, 'workjet_connections_rejected_total', 'reason="total"') >= 1, 'total-cap refusals counted');
  t.ok(gw.logs.some((l) => l.includes('connection cap')), 'a refusal is logged');
});
