import t from 'tap';
import { connect } from 'node:net';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';

/**
 * The request-smuggling corpus over raw sockets: every variant (CL.TE, TE.CL, TE.TE obfuscation,
 * duplicate or malformed lengths, bad chunk framing, obs-fold, bare CR, NUL) is refused with a
 * 4xx and a closed connection, and the request hidden inside it never reaches the provider.
 */

/** Sends raw bytes; resolves with everything received until the gateway closes (or 3 s pass). */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => undefined);
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(bytes, 'latin1');
  });
}

t.test('request smuggling variants are refused and nothing reaches the provider', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, config);
  const port = Number(new URL(gw.origin).port);
  const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'smuggled' }] });
  const smuggled = `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${keys.acmeMember}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${keys.acmeMember}\r\nContent-Type: application/json\r\n`;
  const chunked = (payload: string) => `${payload.length.toString(16)}\r\n${payload}\r\n0\r\n\r\n`;
  const corpus: Record<string, string> = {
    'CL.TE: Content-Length and Transfer-Encoding both': `${head}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    'TE.CL: Transfer-Encoding first, then Content-Length': `${head}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${chunked(smuggled)}`,
    'two different Content-Length headers': `${head}Content-Length: 4\r\nContent-Length: 40\r\n\r\n${smuggled}`,
    'Content-Length list "4, 40"': `${head}Content-Length: 4, 40\r\n\r\n${smuggled}`,
    'negative Content-Length': `${head}Content-Length: -1\r\n\r\n${smuggled}`,
    'Content-Length with a plus sign': `${head}Content-Length: +4\r\n\r\n${smuggled}`,
    'Transfer-Encoding with a space before the colon': `${head}Transfer-Encoding : chunked\r\n\r\n${chunked(smuggled)}`,
    'Transfer-Encoding: xchunked': `${head}Transfer-Encoding: xchunked\r\n\r\n${chunked(smuggled)}`,
    'Transfer-Encoding: chunked, identity': `${head}Transfer-Encoding: chunked, identity\r\n\r\n${chunked(smuggled)}`,
    'obs-fold continuation of Transfer-Encoding': `${head}Transfer-Encoding:\r\n chunked\r\n\r\n${chunked(smuggled)}`,
    'two Transfer-Encoding headers, one obfuscated': `${head}Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n${chunked(smuggled)}`,
    'chunk size that is not hex': `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n${smuggled}\r\n0\r\n\r\n`,
    'chunk size overflowing 64 bits': `${head}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff1\r\n${smuggled}\r\n0\r\n\r\n`,
    'bare CR inside a header line': `${head}X-Evil: a\rTransfer-Encoding: chunked\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
    'NUL byte in a header value': `${head}X-Evil: a\u0000b\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
    'space inside a header name': `${head}Content Length: 4\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
    'chunk data longer than its size': `${head}Transfer-Encoding: chunked\r\n\r\n4\r\n${body}\r\n0\r\n\r\n${smuggled}`,
  };
  const before = fake.requests.length;
  for (const [name, bytes] of Object.entries(corpus)) {
    const answer = await raw(port, bytes);
    t.match(answer, /^HTTP\/1\.1 4\d\d /, `${name}: refused with a 4xx (${answer.slice(0, 40).replace(/\r\n.*/s, '')})`);
    t.notMatch(answer, /HTTP\/1\.1 200/, `${name}: no smuggled request was answered`);
  }
  t.equal(fake.requests.length, before, 'no smuggled request reached the provider');
  t.equal((await fetch(`${gw.origin}/healthz`)).status, 200, 'the gateway still serves');
});
