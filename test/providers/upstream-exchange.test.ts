// The upstream pool's answers, read each way the gateway reads them, against a real loopback
// HTTP server that reports what it saw: whether its answer was cut off, how many connections
// it accepted, whether a request reached it at all.
import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamPool } from '../../proxy/providers/upstream-pool.js';
import { ClientDisconnect } from '../../proxy/pipeline/client-disconnect.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Upstream {
  readonly origin: string;
  connections(): number;
  requests(): number;
  /** Resolves with whether the last answer was cut off before it ended. */
  answerClosed(): Promise<'finished' | 'cut off'>;
}

async function upstream(t: Test, handler: Handler): Promise<Upstream> {
  let connections = 0;
  let requests = 0;
  let closed: Promise<'finished' | 'cut off'> = new Promise(() => undefined);
  const server = createServer((req, res) => {
    requests++;
    closed = new Promise((resolve) => res.on('close', () => resolve(res.writableFinished ? 'finished' : 'cut off')));
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, requests: () => requests, answerClosed: () => closed };
}

function pool(t: Test, timeouts = { connectTimeoutMs: 2000, firstByteTimeoutMs: 2000, idleTimeoutMs: 2000 }): UpstreamPool {
  const p = new UpstreamPool({ timeouts });
  t.teardown(() => p.close());
  return p;
}

const get = (origin: string) => ({ origin, path: '/', method: 'GET' as const, headers: {}, body: undefined });

/** An answer written in `count` chunks of `size` bytes, each byte its chunk's index mod 256 (made as they are written). */
function chunked(count: number, size: number): { handler: Handler; expected: () => Buffer } {
  const part = (i: number): Buffer => Buffer.alloc(size, i % 256);
  return {
    expected: () => Buffer.concat(Array.from({ length: count }, (_, i) => part(i))),
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let i = 0;
      const next = (): void => {
        while (i < count) {
          if (!res.write(part(i++))) return void res.once('drain', next);
        }
        res.end();
      };
      next();
    },
  };
}

t.test('a body read whole, or chunk by chunk, arrives byte for byte', async (t) => {
  const { handler, expected: expectedBody } = chunked(200, 16 * 1024);
  const expected = expectedBody();
  const up = await upstream(t, handler);
  const p = pool(t);
  const whole = await p.send(get(up.origin), { signal: new AbortController().signal });
  t.equal(whole.statusCode, 200);
  t.equal(whole.headers['content-type'], 'application/octet-stream');
  t.ok((await whole.body.bytes()).equals(expected), 'bytes(): the whole 3.2 MB body');
  const streamed = await p.send(get(up.origin), { signal: new ClientDisconnect() });
  const parts: Buffer[] = [];
  for await (const chunk of streamed.body) {
    parts.push(chunk);
    // A slow reader: the socket is paused meanwhile, and nothing is lost or reordered.
    if (parts.length % 20 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  t.ok(Buffer.concat(parts).equals(expected), 'iteration: the same bytes, in order');
  t.equal(await up.answerClosed(), 'finished');
});

t.test('a reader that stops early, and capped reads, cut the upstream answer off', async (t) => {
  const { handler } = chunked(2000, 16 * 1024); // 32 MB: far more than any buffer on the way
  const up = await upstream(t, handler);
  const p = pool(t);
  const streamed = await p.send(get(up.origin), { signal: new ClientDisconnect() });
  let seen = 0;
  for await (const chunk of streamed.body) {
    seen += chunk.length;
    if (seen > 100_000) break;
  }
  t.equal(await up.answerClosed(), 'cut off', 'breaking out of the iteration aborted the request');
  const capped = await p.send(get(up.origin), { signal: new ClientDisconnect() });
  const text = await capped.body.capped(1000);
  t.equal(Buffer.byteLength(text), 1000, 'exactly the cap');
  t.equal(await up.answerClosed(), 'cut off', 'the rest was never read');
});

t.test('dump: a small body keeps the connection, a large one is cut off', async (t) => {
  const large = chunked(4000, 16 * 1024); // 64 MB: more than loopback socket buffers take
  const up = await upstream(t, (req, res) => (req.url === '/large' ? large.handler(req, res) : res.end(Buffer.alloc(100, 1))));
  const p = pool(t);
  const dumpOne = async (path = '/'): Promise<void> => (await p.send({ ...get(up.origin), path }, { signal: new ClientDisconnect() })).body.dump();
  // undici opens a second socket while the first is still being released; after that, none.
  for (let i = 0; i < 3; i++) await dumpOne();
  const warm = up.connections();
  for (let i = 0; i < 10; i++) await dumpOne();
  t.equal(up.connections(), warm, 'ten more dumped small answers opened no connection');
  await dumpOne('/large');
  t.equal(await up.answerClosed(), 'cut off', 'a 64 MB body is not read just to be dropped');
  const after = await p.send(get(up.origin), { signal: new ClientDisconnect() });
  t.equal((await after.body.bytes()).length, 100, 'the pool goes on with another connection');
});

t.test('the client leaving: before the request goes out, while waiting, and mid-body', async (t) => {
  let hold: ServerResponse | undefined;
  const up = await upstream(t, (req, res) => {
    if (req.url === '/slow-head') {
      hold = res;
      return;
    }
    res.writeHead(200);
    res.write('first part');
  });
  const p = pool(t);
  const gone = new ClientDisconnect();
  gone.abort();
  await t.rejects(p.send(get(up.origin), { signal: gone }), { code: 'WJ_CLIENT_GONE' }, 'already gone: refused at once');
  t.equal(up.requests(), 0, 'and the provider never saw it');

  const waiting = new ClientDisconnect();
  const pending = p.send({ ...get(up.origin), path: '/slow-head' }, { signal: waiting });
  while (!hold) await new Promise((r) => setTimeout(r, 5));
  waiting.abort();
  await t.rejects(pending, { code: 'WJ_CLIENT_GONE' });
  t.equal(await up.answerClosed(), 'cut off', 'the request waiting for its head was aborted');

  const reading = new ClientDisconnect();
  const answer = await p.send(get(up.origin), { signal: reading });
  const read = answer.body.bytes();
  setTimeout(() => reading.abort(), 20);
  await t.rejects(read, { code: 'WJ_CLIENT_GONE' }, 'a body still arriving fails its reader');
  t.equal(await up.answerClosed(), 'cut off');
  t.equal(waiting.listenerCount('abort') + reading.listenerCount('abort'), 0, 'no listener stays on a finished request\'s signal');
});

t.test('first-byte and idle timeouts keep undici\'s error codes', async (t) => {
  const up = await upstream(t, (req, res) => {
    if (req.url === '/no-head') return;
    res.writeHead(200);
    res.write('part');
  });
  const p = pool(t, { connectTimeoutMs: 2000, firstByteTimeoutMs: 200, idleTimeoutMs: 200 });
  await t.rejects(p.send({ ...get(up.origin), path: '/no-head' }, { signal: new ClientDisconnect() }), { code: 'UND_ERR_HEADERS_TIMEOUT' });
  const idle = await p.send(get(up.origin), { signal: new ClientDisconnect() });
  await t.rejects(idle.body.text(), { code: 'UND_ERR_BODY_TIMEOUT' });
  const signal = new ClientDisconnect();
  for (let i = 0; i < 3; i++) await p.send({ ...get(up.origin), path: '/no-head' }, { signal }).catch(() => undefined);
  t.equal(signal.listenerCount('abort'), 0, 'failed requests leave no listener either');
});
