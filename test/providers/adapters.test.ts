import t from 'tap';
import { Secret } from '../../proxy/identity/secret.js';
import { openAiAdapter } from '../../proxy/providers/openai/openai-adapter.js';
import { anthropicAdapter } from '../../proxy/providers/anthropic/anthropic-adapter.js';
import { adapterFor } from '../../proxy/providers/adapter-for.js';
import { classifyUpstreamStatus, type ProviderEndpoint } from '../../proxy/providers/provider-adapter.js';
import { mapUpstreamError } from '../../proxy/providers/upstream-pool.js';
import { renderModelList } from '../../proxy/providers/models-list.js';

function endpoint(type: ProviderEndpoint['type'], key?: string): ProviderEndpoint {
  return { name: type, type, baseUrl: undefined, apiKey: key === undefined ? undefined : new Secret(key), anthropicVersion: '2023-06-01', timeoutMs: undefined };
}

const clientHeaders = {
  authorization: 'Bearer wj_client_key_must_not_leak',
  'x-api-key': 'wj_client_key_must_not_leak',
  cookie: 'session=1',
  connection: 'keep-alive',
  'x-stainless-os': 'Linux',
  'openai-organization': 'org-client',
  'openai-beta': 'assistants=v2',
  'anthropic-beta': 'tools-2024-05-16',
  'idempotency-key': 'idem-1',
  'x-forwarded-for': '10.0.0.1',
};

t.test('openai: URL, tenant key as Bearer, client credentials and hop-by-hop headers dropped', async (t) => {
  const body = Object.freeze({ model: 'fast', messages: [{ role: 'user', content: 'hi' }], stream: false });
  const req = openAiAdapter.buildRequest({ route: 'chat', endpoint: endpoint('openai', 'sk-tenant'), baseUrl: 'https://api.openai.com/v1/', model: 'gpt-4o-mini', body, stream: false, clientHeaders });
  t.equal(req.origin, 'https://api.openai.com');
  t.equal(req.path, '/v1/chat/completions');
  t.equal(req.method, 'POST');
  t.equal(req.headers['authorization'], 'Bearer sk-tenant');
  t.equal(req.headers['openai-beta'], 'assistants=v2');
  t.equal(req.headers['idempotency-key'], 'idem-1');
  for (const dropped of ['x-api-key', 'cookie', 'connection', 'x-stainless-os', 'openai-organization', 'anthropic-beta', 'x-forwarded-for']) t.notOk(req.headers[dropped], `${dropped} not forwarded`);
  t.notMatch(JSON.stringify(req.headers), /wj_/);
  const sent = JSON.parse(req.body as string) as Record<string, unknown>;
  t.equal(sent['model'], 'gpt-4o-mini');
  t.notOk('stream_options' in sent, 'non-stream requests are not given stream_options');
  t.equal(body.model, 'fast', 'the client body is not mutated');
});

t.test('openai: chat streams force include_usage and keep the client stream_options', async (t) => {
  const body = { model: 'fast', messages: [], stream: true, stream_options: { include_obfuscation: false } };
  const req = openAiAdapter.buildRequest({ route: 'chat', endpoint: endpoint('openai', 'k'), baseUrl: 'http://127.0.0.1:9/v1', model: 'm', body, stream: true, clientHeaders: {} });
  t.same(JSON.parse(req.body as string).stream_options, { include_obfuscation: false, include_usage: true });
  t.same(body.stream_options, { include_obfuscation: false }, 'client object untouched');
  const responses = openAiAdapter.buildRequest({ route: 'responses', endpoint: endpoint('openai', 'k'), baseUrl: 'http://127.0.0.1:9/v1', model: 'm', body: { model: 'x', input: 'hi', stream: true }, stream: true, clientHeaders: {} });
  t.notOk('stream_options' in JSON.parse(responses.body as string), 'responses streams are not given chat stream_options');
  t.equal(responses.path, '/v1/responses');
  t.equal(responses.headers['accept'], 'text/event-stream');
});

t.test('openai: compatible base URLs (query strings, Azure api-key)', async (t) => {
  const azure = openAiAdapter.buildRequest({ route: 'embeddings', endpoint: endpoint('openai', 'az-key'), baseUrl: 'https://acme.openai.azure.com/openai/v1?api-version=preview', model: 'emb', body: { model: 'e', input: 'x' }, stream: false, clientHeaders: {} });
  t.equal(azure.path, '/openai/v1/embeddings?api-version=preview');
  t.equal(azure.headers['api-key'], 'az-key');
  const groq = openAiAdapter.buildRequest({ route: 'chat', endpoint: endpoint('openai', 'g'), baseUrl: 'https://api.groq.com/openai/v1', model: 'llama', body: { model: 'x', messages: [] }, stream: false, clientHeaders: {} });
  t.equal(groq.path, '/openai/v1/chat/completions');
  t.notOk(groq.headers['api-key']);
  const models = openAiAdapter.buildRequest({ route: 'models', endpoint: endpoint('openai', 'g'), baseUrl: 'http://h/v1', model: 'm', body: {}, stream: false, clientHeaders: {} });
  t.equal(models.method, 'GET');
  t.equal(models.body, undefined);
});

t.test('anthropic: x-api-key, anthropic-version, anthropic-beta; both base URL spellings', async (t) => {
  for (const baseUrl of ['https://api.anthropic.com', 'https://api.anthropic.com/v1', 'https://api.anthropic.com/']) {
    const req = anthropicAdapter.buildRequest({ route: 'messages', endpoint: endpoint('anthropic', 'sk-ant-tenant'), baseUrl, model: 'claude-x', body: { model: 'smart', max_tokens: 10, messages: [] }, stream: false, clientHeaders });
    t.equal(req.path, '/v1/messages', baseUrl);
    t.equal(req.headers['x-api-key'], 'sk-ant-tenant');
    t.equal(req.headers['anthropic-version'], '2023-06-01');
    t.equal(req.headers['anthropic-beta'], 'tools-2024-05-16');
    t.notOk(req.headers['authorization']);
    t.notOk(req.headers['openai-beta']);
    t.equal(JSON.parse(req.body as string).model, 'claude-x');
  }
  t.throws(() => anthropicAdapter.buildRequest({ route: 'chat', endpoint: endpoint('anthropic', 'k'), baseUrl: 'https://a', model: 'm', body: {}, stream: false, clientHeaders: {} }));
});

t.test('demo: the real adapters per route, no credential header', async (t) => {
  t.equal(adapterFor('demo', 'messages'), anthropicAdapter);
  t.equal(adapterFor('demo', 'chat'), openAiAdapter);
  t.equal(adapterFor('openai', 'messages'), openAiAdapter);
  t.notOk(openAiAdapter.supports('messages'));
  t.ok(anthropicAdapter.supports('messages'));
  const req = openAiAdapter.buildRequest({ route: 'chat', endpoint: endpoint('demo'), baseUrl: 'http://127.0.0.1:1/v1', model: 'demo', body: { model: 'x', messages: [] }, stream: false, clientHeaders });
  t.notOk(req.headers['authorization']);
});

t.test('non-stream usage extraction (cached tokens count as input)', async (t) => {
  t.same(openAiAdapter.parseUsage('chat', { usage: { prompt_tokens: 10, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 6 } } }), { inputTokens: 10, outputTokens: 4, cachedInputTokens: 6 });
  t.same(openAiAdapter.parseUsage('embeddings', { usage: { prompt_tokens: 8, total_tokens: 8 } }), { inputTokens: 8, outputTokens: 0 });
  t.same(openAiAdapter.parseUsage('responses', { usage: { input_tokens: 5, output_tokens: 3, input_tokens_details: { cached_tokens: 0 } } }), { inputTokens: 5, outputTokens: 3 });
  t.same(anthropicAdapter.parseUsage('messages', { usage: { input_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 7 } }), { inputTokens: 123, outputTokens: 7, cachedInputTokens: 100 });
  t.equal(openAiAdapter.parseUsage('chat', { id: 'x' }), undefined);
  t.equal(openAiAdapter.parseUsage('chat', 'not json'), undefined);
});

t.test('completion text of non-stream bodies', async (t) => {
  t.equal(openAiAdapter.responseText('chat', { choices: [{ message: { content: 'a' } }, { message: { content: 'b' } }] }), 'ab');
  t.equal(openAiAdapter.responseText('responses', { output: [{ type: 'reasoning' }, { type: 'message', content: [{ type: 'output_text', text: 'hi' }] }] }), 'hi');
  t.equal(anthropicAdapter.responseText('messages', { content: [{ type: 'text', text: 'x' }, { type: 'tool_use' }, { type: 'text', text: 'y' }] }), 'xy');
});

t.test('status classification and transport error mapping', async (t) => {
  for (const s of [429, 500, 502, 503, 504, 529, 408]) t.equal(classifyUpstreamStatus(s), 'fallback', String(s));
  for (const s of [401, 403]) t.equal(classifyUpstreamStatus(s), 'provider_auth', String(s));
  for (const s of [400, 404, 413, 422]) t.equal(classifyUpstreamStatus(s), 'passthrough', String(s));
  t.equal(mapUpstreamError(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), 'p').code, 'upstream_timeout');
  t.equal(mapUpstreamError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'p').code, 'upstream_timeout');
  t.equal(mapUpstreamError(Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' }), 'p', 'body').code, 'upstream_timeout');
  const refused = mapUpstreamError(Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:443'), { code: 'ECONNREFUSED' }), 'openai');
  t.equal(refused.code, 'upstream_error');
  t.equal(refused.status, 502);
  t.notMatch(refused.message, /10\.1\.2\.3/, 'no internal address in the client message');
});

t.test('models list in OpenAI shape, order kept, duplicates dropped', async (t) => {
  t.same(renderModelList({ allowed: ['fast', 'smart', 'fast', 'openai/gpt-4o'], ownedBy: 'acme', created: 1700000000 }), {
    object: 'list',
    data: [
      { id: 'fast', object: 'model', created: 1700000000, owned_by: 'acme' },
      { id: 'smart', object: 'model', created: 1700000000, owned_by: 'acme' },
      { id: 'openai/gpt-4o', object: 'model', created: 1700000000, owned_by: 'acme' },
    ],
  });
});
