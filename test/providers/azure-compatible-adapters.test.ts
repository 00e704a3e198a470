import t from 'tap';
import { adapterFor } from '../../proxy/providers/adapter-for.js';
import { Secret } from '../../proxy/identity/secret.js';
import type { ProviderEndpoint } from '../../proxy/providers/provider-adapter.js';
import { callShape } from '../../proxy/translate/call-shape.js';

function endpoint(type: ProviderEndpoint['type'], baseUrl: string): ProviderEndpoint {
  return { name: 'p', type, baseUrl, apiKey: new Secret('k-0123456789'), anthropicVersion: '2023-06-01', timeoutMs: undefined };
}

const build = (type: ProviderEndpoint['type'], baseUrl: string, route: 'chat' | 'embeddings' | 'responses', stream = false) =>
  adapterFor(type, route).buildRequest({ route, endpoint: endpoint(type, baseUrl), baseUrl, model: 'my-deployment', body: { model: 'tier', messages: [] }, stream, clientHeaders: {} });

t.test('azure_openai: the deployment in the path, api-version, the key as api-key (never Authorization)', async (t) => {
  const chat = build('azure_openai', 'https://acme.openai.azure.com', 'chat');
  t.equal(chat.origin, 'https://acme.openai.azure.com');
  t.equal(chat.path, '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
  t.equal(chat.headers['api-key'], 'k-0123456789');
  t.notOk(chat.headers['authorization']);
  t.equal(build('azure_openai', 'https://acme.openai.azure.com/openai?api-version=2025-01-01-preview', 'embeddings').path, '/openai/deployments/my-deployment/embeddings?api-version=2025-01-01-preview', "the base URL's own api-version");
  t.equal(build('azure_openai', 'https://acme.openai.azure.com', 'responses').path, '/openai/responses?api-version=2024-10-21');
  const v1 = build('azure_openai', 'https://acme.openai.azure.com/openai/v1', 'chat');
  t.equal(v1.path, '/openai/v1/chat/completions', 'the v1 API: OpenAI paths, no api-version');
  t.match(JSON.parse(v1.body ?? '{}'), { model: 'my-deployment' });
});

t.test('openai_compatible: OpenAI wire, Bearer key, no Responses API (a Responses client gets a 400 up front)', async (t) => {
  const chat = build('openai_compatible', 'http://10.0.0.5:8000/v1', 'chat', true);
  t.equal(chat.path, '/v1/chat/completions');
  t.equal(chat.headers['authorization'], 'Bearer k-0123456789');
  t.match(JSON.parse(chat.body ?? '{}'), { model: 'my-deployment', stream_options: { include_usage: true } });
  t.equal(callShape('openai_compatible', 'openai', 'responses'), undefined);
  t.ok(callShape('openai_compatible', 'anthropic', 'messages')?.translator, 'Anthropic clients reach it through the Messages → chat translator');
});

t.test('gemini: model and method in the path, key in x-goog-api-key, never in the URL', async (t) => {
  const stream = adapterFor('gemini', 'chat').buildRequest({ route: 'chat', endpoint: endpoint('gemini', 'https://generativelanguage.googleapis.com'), baseUrl: 'https://generativelanguage.googleapis.com', model: 'gemini-2.5-flash', body: { contents: [] }, stream: true, clientHeaders: {} });
  t.equal(stream.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  t.equal(stream.headers['x-goog-api-key'], 'k-0123456789');
  t.notMatch(stream.path, /k-0123456789/);
  t.same(JSON.parse(stream.body ?? '{}'), { contents: [] }, 'no model in the body');
});
