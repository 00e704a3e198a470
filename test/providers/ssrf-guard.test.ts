// The SSRF guard on the upstream pool: every spelling of an internal address, and a hostname
// that resolves to loopback, is refused before a socket reaches the listener. A real loopback
// listener counts the connections it accepts; it must count zero.
import t from 'tap';
import { createServer, type Server } from 'node:http';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { UpstreamPool } from '../../proxy/providers/upstream-pool.js';
import { forbiddenAddressReason, forbiddenHostReason } from '../../proxy/providers/ssrf-guard.js';

async function countingListener(t: { teardown(fn: () => unknown): void }, host: string, handler?: Parameters<typeof createServer>[1]): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server: Server = createServer(handler ?? ((_req, res) => res.end('{}')));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

const timeouts = { connectTimeoutMs: 2000, firstByteTimeoutMs: 2000, idleTimeoutMs: 2000 };

t.test('every internal spelling is refused and the loopback listener counts zero connections', async (t) => {
  const v4 = await countingListener(t, '127.0.0.1');
  const v6 = await countingListener(t, '::1').catch(() => undefined);
  const self = hostname();
  const resolved = await lookup(self, { all: true });
  t.ok(resolved.some((a) => a.address === '127.0.0.1'), `precondition: ${self} resolves to loopback`);
  const corpus = [
    `http://127.0.0.1:${v4.port}/v1`,
    `http://127.1:${v4.port}/v1`,
    `http://0177.0.0.1:${v4.port}/v1`,
    `http://0x7f.0.0.1:${v4.port}/v1`,
    `http://2130706433:${v4.port}/v1`,
    `http://017700000001:${v4.port}/v1`,
    `http://[::ffff:127.0.0.1]:${v4.port}/v1`,
    `http://[::ffff:7f00:1]:${v4.port}/v1`,
    `http://0.0.0.0:${v4.port}/v1`,
    `http://localhost:${v4.port}/v1`,
    `http://LOCALHOST.:${v4.port}/v1`,
    `http://${self}:${v4.port}/v1`,
    ...(v6 ? [`http://[::1]:${v6.port}/v1`, `http://[0:0:0:0:0:0:0:1]:${v6.port}/v1`] : []),
  ];
  const pool = new UpstreamPool({ timeouts });
  t.teardown(() => pool.close());
  for (const url of corpus) {
    const u = new URL(url);
    const err = await pool
      .send({ origin: u.origin, path: '/v1/chat/completions', method: 'POST', headers: {}, body: '{}' }, { signal: AbortSignal.timeout(3000), ssrfGuard: true })
      .then(() => undefined, (e: unknown) => e as Error);
    t.ok(err, `${url} is refused`);
    t.match(err?.message ?? '', /SSRF guard/, `${url}: refused by the guard, not by chance`);
  }
  t.equal(v4.connections(), 0, 'the IPv4 loopback listener accepted no connection');
  if (v6) t.equal(v6.connections(), 0, 'the IPv6 loopback listener accepted no connection');
  // The same pool without the guard (an operator's own origin) does connect: the listener counts.
  const ok = await pool.send({ origin: `http://127.0.0.1:${v4.port}`, path: '/', method: 'GET', headers: {}, body: undefined }, { signal: AbortSignal.timeout(3000) });
  await ok.body.text();
  t.equal(v4.connections(), 1, 'without the guard the listener is reached: the counter works');
});

t.test('addresses: metadata, private, CGNAT and link-local refused; public allowed', async (t) => {
  for (const ip of ['169.254.169.254', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '100.100.100.200', '127.0.0.53', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::7f00:1', '2002:7f00:1::', '::127.0.0.1', '255.255.255.255']) {
    t.not(forbiddenAddressReason(ip), null, `${ip} refused`);
  }
  for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '104.18.6.192']) t.equal(forbiddenAddressReason(ip), null, `${ip} allowed`);
  for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[::ffff:a9fe:a9fe]/', 'http://0xa9fea9fe/', 'http://2852039166/', 'http://localhost/', 'http://a.b.localhost/']) {
    t.not(forbiddenHostReason(new URL(url)), null, `${url} refused before any lookup`);
  }
  t.equal(forbiddenHostReason(new URL('https://api.openai.com/v1')), null, 'a public name passes to the connect-time check');
});

t.test('redirects are not followed: a 302 to an internal address stays a 302', async (t) => {
  const target = await countingListener(t, '127.0.0.1');
  const redirector = await countingListener(t, '127.0.0.1', (_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${target.port}/internal` });
    res.end();
  });
  const pool = new UpstreamPool({ timeouts });
  t.teardown(() => pool.close());
  const res = await pool.send({ origin: `http://127.0.0.1:${redirector.port}`, path: '/v1/chat/completions', method: 'POST', headers: {}, body: '{}' }, { signal: AbortSignal.timeout(3000) });
  await res.body.text();
  t.equal(res.statusCode, 302);
  t.equal(target.connections(), 0, 'the redirect target was never contacted');
});
