import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { waitForAuditFile } from '../server/fixtures/audit-files.js';
import { costUsd } from '../../proxy/limits/cost.js';

/** A tier served by Anthropic falls back, before the first byte, to a tier served by OpenAI: each attempt translates afresh. */
t.test('a failing Anthropic tier falls back to an OpenAI tier for both SDKs', async (t) => {
  const anthropic = await startFakeProvider();
  const openai = await startFakeProvider();
  t.teardown(() => anthropic.close());
  t.teardown(() => openai.close());
  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    pricing: { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'claude-sonnet-4': { input: 3, output: 15 } },
    tenants: [{
      budget: { monthlyUsd: 100 },
      id: 'acme',
      providers: { anthropic: { apiKey: 'sk-ant-acme-000000', baseUrl: anthropic.anthropicBaseUrl }, openai: { apiKey: 'sk-acme-openai-000000', baseUrl: openai.openaiBaseUrl } },
      tiers: { smart: { provider: 'anthropic', model: 'claude-sonnet-4', fallbacks: ['fast'] }, fast: { provider: 'openai', model: 'gpt-4o-mini' } },
      users: [{ id: 'alice', role: 'member' }],
      apiKeys: [alice.entry],
    }],
  });

  t.test('OpenAI client: Anthropic answers 529, the OpenAI tier serves the stream', async (t) => {
    anthropic.enqueue({ status: 529 });
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: alice.key, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'smart', stream: true, messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.match(anthropic.requests.at(-1), { path: '/v1/messages', body: { model: 'claude-sonnet-4', system: [{ type: 'text', text: 'Be terse.' }] } });
    t.match(openai.requests.at(-1), { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }] } }, 'the fallback got the untouched client request');
    const { record } = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.clientApi === 'openai.chat' && r.status === 200);
    t.match(record, { tier: 'smart', provider: 'openai', providerApi: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 11, outputTokens: 9, estimated: false } });
    t.equal(record.costUsd, costUsd(11, 9, { input: 0.15, output: 0.6 }), 'settled from the answering provider usage and price');
  });

  t.test('Anthropic client: Anthropic overloaded before any content, the OpenAI tier answers in the Messages shape', async (t) => {
    anthropic.enqueue({ errorEventFirst: true });
    const client = new Anthropic({ baseURL: gw.origin, apiKey: alice.key, maxRetries: 0 });
    const final = await client.messages.stream({ model: 'smart', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    t.equal(final.content[0]?.type === 'text' ? final.content[0].text : '', 'Hello from the fake provider, streaming word by word.');
    t.equal(final.stop_reason, 'end_turn');
    t.match(openai.requests.at(-1), { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', max_tokens: 50, stream: true } });
    const message = await (async () => {
      anthropic.enqueue({ status: 503 });
      return client.messages.create({ model: 'smart', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    })();
    t.equal(message.type, 'message', 'non-stream too');
    const { record } = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.clientApi === 'anthropic.messages' && r.status === 200);
    t.match(record, { provider: 'openai', providerApi: 'openai', usage: { inputTokens: 11, outputTokens: 9, estimated: false } });
  });

  t.test('a call translated to Anthropic is audited with both APIs and settled from Anthropic usage (cache reads count as input)', async (t) => {
    anthropic.enqueue({ usage: { input: 100, output: 20, cached: 50 } });
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: alice.key, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }], user: 'audit-probe' });
    t.equal(completion.usage?.prompt_tokens, 150);
    const { record } = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.clientApi === 'openai.chat' && r.providerApi === 'anthropic');
    t.match(record, { provider: 'anthropic', model: 'claude-sonnet-4', usage: { inputTokens: 150, outputTokens: 20, estimated: false } });
    t.equal(record.costUsd, costUsd(150, 20, { input: 3, output: 15 }));
  });
});
