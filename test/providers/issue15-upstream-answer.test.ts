import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants, ACME_OPENAI_KEY, ACME_ANTHROPIC_KEY } from '../server/fixtures/tenants.js';

/**
 * Nothing secret leaves through the provider's answer: an upstream error body, a non-JSON body
 * or an echoing proxy never hands the client the tenant's provider key, and what is kept of the
 * provider's message is shown in the client's error shape, through response DLP.
 */
t.test('issue15-5 upstream-answer-scrubbed: provider error and non-JSON bodies reach the client scrubbed, in its error shape', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake, { dlp: { detectors: { email: 'redact' }, responses: 'redact' } });
  const gw = await startGateway(t, config);
  const openai = { authorization: `Bearer ${keys.acmeMember}`, 'content-type': 'application/json' };
  const anthropic = { 'x-api-key': keys.acmeMember, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
  const chat = () =>
    fetch(`${gw.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: openai,
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
    }).then(async (res) => {
      return { status: res.status, headers: res.headers, text: await res.text() };
    });

  t.test('a 400 that echoes the request headers: the key is gone, the shape is OpenAI, the status and message are kept', async (t) => {
    fake.enqueue({ status: 400, echoHeaders: true });
    const res = await chat();
    t.equal(res.status, 400);
    t.notMatch(res.text, ACME_OPENAI_KEY, 'the provider key never reaches the client');
    t.notMatch(res.text, 'sk-acme', 'not even a prefix of it');
    const body = JSON.parse(res.text) as { error: { message: string; type: string; code: string; param: unknown } };
    t.equal(body.error.type, 'invalid_request_error');
    t.match(body.error.message, /request headers/, "the provider's message is kept");
    t.equal(body.error.param, 'messages', "the provider's param is kept");
  });

  t.test('the Anthropic route: the error in the Anthropic shape, without the key', async (t) => {
    fake.enqueue({ status: 400, echoHeaders: true });
    const res = await fetch(`${gw.origin}/v1/messages`, { method: 'POST', headers: anthropic, body: JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) });
    const text = await res.text();
    t.equal(res.status, 400);
    t.notMatch(text, ACME_ANTHROPIC_KEY);
    t.match(JSON.parse(text), { type: 'error', error: { type: 'invalid_request_error', message: /request headers/ } });
  });

  t.test('a 4xx with an HTML body: rendered as JSON in the client shape, key scrubbed', async (t) => {
    fake.enqueue({ status: 404, echoHeaders: true, rawBody: { contentType: 'text/html', text: '<html><body>Not here</body></html>' } });
    const res = await chat();
    t.notMatch(res.text, ACME_OPENAI_KEY);
    t.match(res.headers.get('content-type'), /application\/json/);
    t.match(JSON.parse(res.text), { error: { type: 'invalid_request_error' } });
  });

  t.test('a 2xx body that is not JSON: 502 upstream_error in the client shape, nothing of the body', async (t) => {
    fake.enqueue({ rawBody: { contentType: 'text/plain', text: 'proxy says: ' }, echoHeaders: true });
    const res = await chat();
    t.equal(res.status, 502);
    t.notMatch(res.text, ACME_OPENAI_KEY);
    t.match(JSON.parse(res.text), { error: { code: 'upstream_error', type: 'server_error' } });
  });

  t.test('a 2xx JSON answer whose text echoes the headers: the key is scrubbed', async (t) => {
    fake.enqueue({ echoHeaders: true });
    const res = await chat();
    t.equal(res.status, 200);
    t.notMatch(res.text, ACME_OPENAI_KEY);
    t.match(res.text, /request headers/);
  });

  t.test("response DLP runs on the provider's error message", async (t) => {
    fake.enqueue({ status: 422, errorBody: { error: { message: 'Bad input near bob@example.com', type: 'invalid_request_error', param: null, code: null } } });
    const res = await chat();
    t.equal(res.status, 422, "the provider's status is kept");
    t.notMatch(res.text, 'bob@example.com');
    t.match(res.text, /\[REDACTED:email\]/);
  });

  t.test('x-upstream-request-id is copied only when it is a plain id', async (t) => {
    fake.enqueue({ headers: { 'x-request-id': 'req_ok-123.abc' } });
    t.equal((await chat()).headers.get('x-upstream-request-id'), 'req_ok-123.abc');
    fake.enqueue({ headers: { 'x-request-id': 'id; <script>alert(1)</script>' } });
    t.equal((await chat()).headers.get('x-upstream-request-id'), null, 'odd characters: dropped');
    fake.enqueue({ headers: { 'x-request-id': 'r'.repeat(500) } });
    t.equal((await chat()).headers.get('x-upstream-request-id'), null, 'overlong: dropped');
    fake.enqueue({ headers: { 'x-request-id': ACME_OPENAI_KEY } });
    t.equal((await chat()).headers.get('x-upstream-request-id'), null, 'the provider key as an id: dropped');
  });
});

t.test('issue15-3 a provider answer nested deeper than server.maxJsonDepth is a 502, not a 500', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake, { dlp: { detectors: { email: 'redact' }, responses: 'redact' } });
  const gw = await startGateway(t, config);
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  fake.enqueue({ rawBody: { contentType: 'application/json', text: `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi","extra":${deep}}}]}` } });
  const res = await fetch(`${gw.origin}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${keys.acmeMember}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }) });
  t.equal(res.status, 502);
  t.match(await res.json(), { error: { code: 'upstream_error' } });
});
