import t, { type Test } from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway } from '../helpers/gateway.js';
import { withTopK } from '../helpers/anthropic-top-k.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';
import { waitForAuditFile } from './fixtures/audit-files.js';

const REQ_ID = /^req_[0-9a-f]{32}$/;

t.test('every response carries the gateway request id under the names the SDKs read', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, { ...config, server: { maxBodyBytes: 2048 } });
  const key = keys.acmeMember;
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });
  const seen = new Set<string>();

  /** The gateway id of an OpenAI-route response: x-workjet-request-id, equal to x-request-id, never reused. */
  function openaiId(t: Test, headers: Headers, what: string): string {
    const id = headers.get('x-workjet-request-id') ?? '';
    t.match(id, REQ_ID, `${what}: x-workjet-request-id`);
    t.equal(headers.get('x-request-id'), id, `${what}: x-request-id is the same id`);
    t.notOk(seen.has(id), `${what}: a fresh id`);
    seen.add(id);
    return id;
  }

  function anthropicId(t: Test, headers: Headers, what: string): string {
    const id = headers.get('x-workjet-request-id') ?? '';
    t.match(id, REQ_ID, `${what}: x-workjet-request-id`);
    t.equal(headers.get('request-id'), id, `${what}: request-id is the same id`);
    t.notOk(seen.has(id), `${what}: a fresh id`);
    seen.add(id);
    return id;
  }

  t.test('OpenAI success: headers, _request_id, upstream id moved aside, audit record', async (t) => {
    // Awaiting the same APIPromise gives the parsed body with `_request_id` (no second request).
    const call = openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    const { response, request_id } = await call.withResponse();
    const id = openaiId(t, response.headers, 'chat');
    t.equal((await call)._request_id, id, 'the SDK surfaces the gateway id as _request_id');
    t.equal(request_id, id);
    t.match(response.headers.get('x-upstream-request-id'), /^req_fake_\d+$/, "the provider's own id moves to x-upstream-request-id");
    const file = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === id);
    t.equal(file.record.status, 200, 'the audit record carries the id the client saw');
  });

  t.test('OpenAI stream, embeddings, responses, models', async (t) => {
    const stream = await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    openaiId(t, stream.response.headers, 'stream');
    for await (const chunk of stream.data) t.ok(chunk.id);
    const embCall = openai.embeddings.create({ model: 'embed', input: 'x' });
    const emb = await embCall.withResponse();
    t.equal((await embCall)._request_id, openaiId(t, emb.response.headers, 'embeddings'));
    const respCall = openai.responses.create({ model: 'fast', input: 'hi' });
    const resp = await respCall.withResponse();
    t.equal((await respCall)._request_id, openaiId(t, resp.response.headers, 'responses'));
    const models = await openai.models.list().withResponse();
    openaiId(t, models.response.headers, 'models');
  });

  t.test('Anthropic success: request-id and _request_id', async (t) => {
    const call = anthropic.messages.create({ model: 'claude', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
    const { response, request_id } = await call.withResponse();
    const id = anthropicId(t, response.headers, 'messages');
    t.equal((await call)._request_id, id, '_request_id');
    t.equal(request_id, id);
    const streamed = await anthropic.messages.create({ model: 'claude', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    anthropicId(t, streamed.response.headers, 'messages stream');
    for await (const event of streamed.data) t.ok(event.type);
  });

  t.test('OpenAI errors: requestID on the SDK error equals the header', async (t) => {
    const bad = new OpenAI({ baseURL: gw.baseURL, apiKey: 'wj_not-a-real-key-000000000000000000000000', maxRetries: 0 });
    const cases: [string, () => Promise<unknown>, number][] = [
      ['401', () => bad.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }), 401],
      ['400', () => openai.chat.completions.create({ model: 'fast', messages: [] }), 400],
      ['404 tier', () => openai.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'hi' }] }), 404],
      ['413', () => openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }), 413],
      [
        '502 upstream',
        () => {
          fake.behaviorForModel('gpt-acme', { status: 500 });
          return openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).finally(() => fake.behaviorForModel('gpt-acme', {}));
        },
        502,
      ],
    ];
    for (const [name, call, status] of cases) {
      const err = await call().catch((e: unknown) => e);
      t.type(err, OpenAI.APIError, name);
      const e = err as InstanceType<typeof OpenAI.APIError>;
      t.equal(e.status, status, name);
      const id = openaiId(t, e.headers ?? new Headers(), name);
      t.equal(e.requestID, id, `${name}: err.requestID is the gateway id`);
    }
  });

  t.test('raw error responses (404, 405) carry both headers too', async (t) => {
    const r404 = await fetch(`${gw.origin}/v1/unknown`, { method: 'POST', body: '{}' });
    t.equal(r404.status, 404);
    openaiId(t, r404.headers, '404 route');
    const r405 = await fetch(`${gw.baseURL}/embeddings`, { method: 'GET', headers: { authorization: `Bearer ${key}` } });
    t.equal(r405.status, 405);
    openaiId(t, r405.headers, '405');
  });

  t.test('Anthropic errors: requestID, the request-id header and the body request_id agree', async (t) => {
    const bad = new Anthropic({ baseURL: gw.origin, apiKey: 'wj_not-a-real-key-000000000000000000000000', maxRetries: 0 });
    const cases: [string, () => Promise<unknown>, number][] = [
      ['401', () => bad.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 401],
      ['404', () => anthropic.messages.create({ model: 'missing', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), 404],
      ['400', () => anthropic.messages.create(withTopK({ model: 'fast', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, 5)), 400], // top_k cannot be translated to an OpenAI tier
    ];
    for (const [name, call, status] of cases) {
      const err = await call().catch((e: unknown) => e);
      t.type(err, Anthropic.APIError, name);
      const e = err as InstanceType<typeof Anthropic.APIError>;
      t.equal(e.status, status, name);
      const id = anthropicId(t, e.headers ?? new Headers(), name);
      t.equal(e.requestID, id, `${name}: err.requestID is the gateway id`);
      t.equal((e.error as { request_id?: string }).request_id, id, `${name}: body request_id`);
    }
  });

  t.test('admin and ops responses carry x-workjet-request-id', async (t) => {
    const admin = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${keys.acmeAdmin}` } });
    t.equal(admin.status, 200);
    openaiId(t, admin.headers, 'admin');
    const denied = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${key}` } });
    t.equal(denied.status, 403);
    openaiId(t, denied.headers, 'admin 403');
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${gw.origin}${path}`);
      t.equal(res.status, 200, path);
      t.match(res.headers.get('x-workjet-request-id'), REQ_ID, path);
      await res.arrayBuffer();
    }
  });

  t.test('a client-sent x-request-id is not taken as the gateway id', async (t) => {
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'req_client_chosen', 'x-workjet-request-id': 'req_client_chosen' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
    });
    t.equal(res.status, 200);
    const id = openaiId(t, res.headers, 'client-sent id');
    t.not(id, 'req_client_chosen');
    await res.arrayBuffer();
  });
});
