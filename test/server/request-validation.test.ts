import t, { type Test } from 'tap';
import { Agent, request } from 'node:http';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway } from '../helpers/gateway.js';
import { withTopK } from '../helpers/anthropic-top-k.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';

const MAX_BODY = 4096;

interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Sends `chunks` as a chunked body (no content-length), with a pause between chunks, over
 * `agent` (keep-alive, one socket: consecutive calls reuse the connection as SDK clients do).
 */
function sendChunked(agent: Agent, url: string, headers: Record<string, string>, chunks: readonly string[]): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 5000, method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    let i = 0;
    const next = (): void => {
      if (req.destroyed) return;
      const chunk = chunks[i++];
      if (chunk === undefined) {
        req.end();
        return;
      }
      req.write(chunk);
      setTimeout(next, 5);
    };
    next();
  });
}

function chatBody(contentLength: number): string {
  return JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(contentLength) }] });
}

/** A chat body of exactly `bytes` bytes. */
function chatBodyOfSize(bytes: number): string {
  const overhead = chatBody(0).length;
  return chatBody(bytes - overhead);
}

t.test('request validation at the HTTP edge', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, { ...config, server: { maxBodyBytes: MAX_BODY } });
  const key = keys.acmeMember;
  const json = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const anthropicHeaders = { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
  const post = (path: string, body: string, headers: Record<string, string> = json) => fetch(`${gw.origin}${path}`, { method: 'POST', headers, body });

  /** Asserts the upstream saw nothing while `fn` ran. */
  async function upstreamUntouched(t: Test, fn: () => Promise<void>): Promise<void> {
    const before = fake.requests.length;
    await fn();
    t.equal(fake.requests.length, before, 'the provider was never called');
  }

  t.test('a body at the limit passes, one byte over is 413 request_too_large (content-length)', async (t) => {
    const atLimit = chatBodyOfSize(MAX_BODY);
    t.equal(Buffer.byteLength(atLimit), MAX_BODY);
    const ok = await post('/v1/chat/completions', atLimit);
    t.equal(ok.status, 200, 'exactly maxBodyBytes is accepted');
    await ok.arrayBuffer();
    await upstreamUntouched(t, async () => {
      const res = await post('/v1/chat/completions', chatBodyOfSize(MAX_BODY + 1));
      t.equal(res.status, 413);
      const body = (await res.json()) as { error: Record<string, unknown> };
      t.match(body.error, { type: 'invalid_request_error', code: 'request_too_large', param: null });
      t.match(body.error['message'], String(MAX_BODY));
      t.ok(res.headers.get('x-request-id'), 'request id on the 413');
    });
  });

  t.test('a much larger body (1 MB) is refused without reading it into the gateway', async (t) => {
    await upstreamUntouched(t, async () => {
      const res = await post('/v1/chat/completions', chatBody(1024 * 1024));
      t.equal(res.status, 413);
      t.match(await res.json(), { error: { code: 'request_too_large' } });
    });
  });

  t.test('413 without content-length: a chunked body that grows over the limit; the connection stays usable', async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.teardown(() => agent.destroy());
    const body = chatBody(3 * MAX_BODY);
    const pieces = [body.slice(0, 1000), body.slice(1000, 3000), body.slice(3000, 6000), body.slice(6000)];
    await upstreamUntouched(t, async () => {
      const reply = await sendChunked(agent, `${gw.baseURL}/chat/completions`, json, pieces);
      t.equal(reply.status, 413);
      t.notOk(reply.headers['content-length'] === undefined, 'the error itself is a complete response');
      t.match(JSON.parse(reply.body), { error: { type: 'invalid_request_error', code: 'request_too_large' } });
      t.equal(reply.headers['x-request-id'], reply.headers['x-workjet-request-id']);
    });
    // Regression: leaving the body loop early destroyed the request, which stalled the parser, so
    // the next request on the same keep-alive socket never got an answer.
    for (let i = 0; i < 3; i++) {
      const small = await sendChunked(agent, `${gw.baseURL}/chat/completions`, json, [chatBody(10).slice(0, 20), chatBody(10).slice(20)]);
      t.equal(small.status, 200, 'a small chunked body on the reused connection is served');
      const again = await sendChunked(agent, `${gw.baseURL}/chat/completions`, json, pieces);
      t.equal(again.status, 413);
    }
  });

  t.test('a client that leaves mid-body: nothing reaches the provider, nothing stays in flight', async (t) => {
    await upstreamUntouched(t, async () => {
      for (let i = 0; i < 3; i++) {
        const req = request(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { ...json, 'content-length': '2000' } });
        req.on('error', () => undefined);
        req.write(chatBody(2000).slice(0, 300));
        await new Promise((r) => setTimeout(r, 30));
        req.destroy();
      }
      const inFlight = async (): Promise<number> => {
        const text = await (await fetch(`${gw.origin}/metrics`)).text();
        return Number(/^workjet_inflight_requests (\S+)$/m.exec(text)?.[1]);
      };
      for (const end = Date.now() + 3000; (await inFlight()) !== 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      t.equal(await inFlight(), 0, 'the three abandoned requests ended');
    });
    const ok = await post('/v1/chat/completions', chatBody(10));
    t.equal(ok.status, 200, 'and the next client is served');
    await ok.arrayBuffer();
  });

  t.test('413 in the Anthropic shape on /v1/messages', async (t) => {
    const big = JSON.stringify({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'y'.repeat(2 * MAX_BODY) }] });
    await upstreamUntouched(t, async () => {
      const res = await post('/v1/messages', big, anthropicHeaders);
      t.equal(res.status, 413);
      const body = (await res.json()) as Record<string, unknown>;
      t.match(body, { type: 'error', error: { type: 'request_too_large' } });
      t.equal(res.headers.get('request-id'), res.headers.get('x-workjet-request-id'));
    });
  });

  t.test('the OpenAI SDK raises the 413 as an APIError with status 413', async (t) => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
    const err = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'z'.repeat(2 * MAX_BODY) }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.APIError);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 413);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'request_too_large');
  });

  t.test('malformed JSON is 400 invalid_request', async (t) => {
    await upstreamUntouched(t, async () => {
      for (const bad of ['{"model": "fast", "messages": [', 'not json at all', '']) {
        const res = await post('/v1/chat/completions', bad);
        t.equal(res.status, 400, `body ${JSON.stringify(bad)}`);
        const body = (await res.json()) as { error: Record<string, unknown> };
        t.match(body.error, { type: 'invalid_request_error', code: 'invalid_request' });
        t.ok(res.headers.get('x-request-id'));
      }
      const res = await post('/v1/messages', '{"model":', anthropicHeaders);
      t.equal(res.status, 400);
      t.match(await res.json(), { type: 'error', error: { type: 'invalid_request_error' } }, 'Anthropic shape on /v1/messages');
    });
  });

  t.test('a JSON value that is not an object is 400', async (t) => {
    await upstreamUntouched(t, async () => {
      for (const bad of ['[]', '"fast"', '42', 'null']) {
        const res = await post('/v1/chat/completions', bad);
        t.equal(res.status, 400, bad);
        t.match(await res.json(), { error: { code: 'invalid_request' } });
      }
    });
  });

  t.test('wrong types name the offending field in param', async (t) => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['stream: "yes"', '/v1/chat/completions', { model: 'fast', stream: 'yes', messages: [{ role: 'user', content: 'hi' }] }, 'stream'],
      ['messages not an array', '/v1/chat/completions', { model: 'fast', messages: 'hi' }, 'messages'],
      ['messages missing', '/v1/chat/completions', { model: 'fast' }, 'messages'],
      ['model missing', '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }, 'model'],
      ['model a number', '/v1/chat/completions', { model: 7, messages: [{ role: 'user', content: 'hi' }] }, 'model'],
      ['max_tokens a string', '/v1/chat/completions', { model: 'fast', max_tokens: '10', messages: [{ role: 'user', content: 'hi' }] }, 'max_tokens'],
      ['embeddings input a number', '/v1/embeddings', { model: 'embed', input: 5 }, 'input'],
      ['responses input an object', '/v1/responses', { model: 'fast', input: { text: 'hi' } }, 'input'],
    ];
    await upstreamUntouched(t, async () => {
      for (const [name, path, body, param] of cases) {
        const res = await post(path, JSON.stringify(body));
        t.equal(res.status, 400, name);
        const got = (await res.json()) as { error: Record<string, unknown> };
        t.match(got.error, { type: 'invalid_request_error', code: 'invalid_request', param }, name);
      }
    });
  });

  t.test('the SDK exposes param on a 400', async (t) => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
    const err = await client.chat.completions.create({ model: 'fast', messages: 'hi' as unknown as [] }).catch((e: unknown) => e);
    t.type(err, OpenAI.BadRequestError);
    t.equal((err as InstanceType<typeof OpenAI.BadRequestError>).param, 'messages');
  });

  t.test('/v1/messages without max_tokens is 400 in the Anthropic shape', async (t) => {
    await upstreamUntouched(t, async () => {
      const res = await post('/v1/messages', JSON.stringify({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }), anthropicHeaders);
      t.equal(res.status, 400);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      t.equal(body.type, 'error');
      t.equal(body.error.type, 'invalid_request_error');
      t.match(body.error.message, /max_tokens/);
      t.equal(res.headers.get('request-id'), res.headers.get('x-workjet-request-id'));
    });
    const client = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });
    const err = await client.messages
      .create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    t.type(err, Anthropic.BadRequestError, 'the Anthropic SDK raises BadRequestError');
  });

  t.test('a tier that cannot serve the endpoint is 400 naming the model; an untranslatable field is 400 naming it', async (t) => {
    await upstreamUntouched(t, async () => {
      const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
      const err = await openai.embeddings.create({ model: 'claude', input: 'hi' }).catch((e: unknown) => e);
      t.type(err, OpenAI.BadRequestError);
      t.equal((err as InstanceType<typeof OpenAI.BadRequestError>).param, 'model');
      t.match((err as Error).message, /anthropic/);
      const logprobs = await openai.chat.completions.create({ model: 'claude', logprobs: true, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      t.type(logprobs, OpenAI.BadRequestError);
      t.equal((logprobs as InstanceType<typeof OpenAI.BadRequestError>).param, 'logprobs');
      const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });
      const aErr = await anthropic.messages.create(withTopK({ model: 'fast', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, 3)).catch((e: unknown) => e);
      t.type(aErr, Anthropic.BadRequestError);
      t.match(JSON.stringify((aErr as InstanceType<typeof Anthropic.BadRequestError>).error), /invalid_request_error/);
      t.match((aErr as Error).message, /top_k/);
    });
  });

  t.test('an Anthropic SDK whose base URL ends in /v1 reaches /v1/v1/messages and is served', async (t) => {
    const client = new Anthropic({ baseURL: `${gw.origin}/v1`, apiKey: key, maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    t.equal(message.type, 'message');
    t.equal(fake.requests.at(-1)?.path, '/v1/messages', 'the provider gets the normal path');
  });

  t.test('a query string on a model route is ignored for routing (Azure-style api-version)', async (t) => {
    const res = await post('/v1/chat/completions?api-version=2024-10-21', chatBody(5));
    t.equal(res.status, 200);
    await res.arrayBuffer();
  });

  t.test('an unknown tier is 404 model_not_found', async (t) => {
    await upstreamUntouched(t, async () => {
      const res = await post('/v1/chat/completions', JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }));
      t.equal(res.status, 404);
      t.match(await res.json(), { error: { code: 'model_not_found', param: 'model' } });
    });
  });

  t.test('unknown routes are 404 in the shape of the API the path belongs to', async (t) => {
    for (const [method, path] of [
      ['POST', '/v1/completions'],
      ['GET', '/v1/nope'],
      ['GET', '/'],
      ['POST', '/v2/chat/completions'],
    ] as const) {
      const res = await fetch(`${gw.origin}${path}`, { method, headers: { authorization: `Bearer ${key}` }, ...(method === 'POST' ? { body: '{}' } : {}) });
      t.equal(res.status, 404, `${method} ${path}`);
      const body = (await res.json()) as { error: Record<string, unknown> };
      t.match(body.error, { type: 'invalid_request_error', code: 'not_found' }, `${method} ${path}`);
      t.ok(res.headers.get('x-workjet-request-id'));
      t.equal(res.headers.get('x-request-id'), res.headers.get('x-workjet-request-id'));
    }
    const res = await fetch(`${gw.origin}/v1/messages/batches`, { method: 'POST', headers: anthropicHeaders, body: '{}' });
    t.equal(res.status, 404);
    t.match(await res.json(), { type: 'error', error: { type: 'not_found_error' } });
  });

  t.test('a wrong method is 405 with Allow', async (t) => {
    for (const [method, path, allow] of [
      ['GET', '/v1/chat/completions', 'POST'],
      ['PUT', '/v1/embeddings', 'POST'],
      ['POST', '/v1/models', 'GET'],
      ['DELETE', '/v1/responses', 'POST'],
    ] as const) {
      const res = await fetch(`${gw.origin}${path}`, { method, headers: json, ...(method === 'GET' ? {} : { body: '{}' }) });
      t.equal(res.status, 405, `${method} ${path}`);
      t.equal(res.headers.get('allow'), allow);
      t.match(await res.json(), { error: { type: 'invalid_request_error', code: 'method_not_allowed' } });
      t.equal(res.headers.get('x-request-id'), res.headers.get('x-workjet-request-id'));
    }
    const res = await fetch(`${gw.origin}/v1/messages`, { method: 'GET', headers: anthropicHeaders });
    t.equal(res.status, 405);
    t.match(await res.json(), { type: 'error', error: { type: 'invalid_request_error' } });
    t.equal(res.headers.get('request-id'), res.headers.get('x-workjet-request-id'));
  });

  t.test('every kind of early error leaves a keep-alive connection usable', async (t) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.teardown(() => agent.destroy());
    const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${gw.origin}${path}`, { agent, timeout: 5000, method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
        req.end(body);
      });
    const big = chatBody(2 * MAX_BODY);
    const cases: [string, string, Record<string, string>, string, number][] = [
      ['POST', '/v1/chat/completions', { 'content-type': 'application/json' }, big, 401],
      ['POST', '/v1/chat/completions', { authorization: 'Bearer wj_unknown' }, big, 401],
      ['POST', '/v1/chat/completions', json, big, 413],
      ['POST', '/v1/chat/completions', json, '{"model":', 400],
      ['POST', '/v1/nope', json, big, 404],
      ['PUT', '/v1/chat/completions', json, big, 405],
      ['POST', '/admin/v1/keys', json, big, 413],
      ['POST', '/admin/v1/keys', { 'content-type': 'application/json' }, big, 401],
      ['GET', '/admin/v1/keys', { authorization: `Bearer ${key}` }, '', 403],
    ];
    for (const [method, path, headers, body, status] of cases) {
      t.equal(await send(method, path, headers, body), status, `${method} ${path} → ${status}`);
      t.equal(await send('POST', '/v1/chat/completions', json, chatBody(5)), 200, 'the next request on the connection is served');
    }
  });

  t.test('the gateway still serves normally afterwards', async (t) => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
    const res = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    t.equal(res.choices[0]?.finish_reason, 'stop');
  });
});
