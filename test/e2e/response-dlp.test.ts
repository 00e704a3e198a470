import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';

// Forward runs the tenant's response DLP on both answer shapes (stream transform, body filter).
t.test('response DLP through forward: streamed and complete answers are redacted', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    tenants: [
      {
        id: 'acme',
        providers: { openai: { apiKey: 'sk-o', baseUrl: fake.openaiBaseUrl }, anthropic: { apiKey: 'sk-a', baseUrl: fake.anthropicBaseUrl } },
        tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' }, claude: { provider: 'anthropic', model: 'claude-x' } },
        users: [{ id: 'alice', role: 'member' }],
        apiKeys: [alice.entry],
        dlp: { detectors: { email: 'redact' }, responses: 'redact' },
      },
    ],
  });
  const text = 'Write to bob@example.com for details.';
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: alice.key, maxRetries: 0 });
  fake.enqueue({ text });
  const plain = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(plain.choices[0]?.message.content, 'Write to [REDACTED:email] for details.');

  fake.enqueue({ text });
  let streamed = '';
  for await (const chunk of await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] })) streamed += chunk.choices[0]?.delta.content ?? '';
  t.equal(streamed, 'Write to [REDACTED:email] for details.');

  fake.enqueue({ text });
  const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: alice.key, maxRetries: 0 });
  let mText = '';
  const stream = anthropic.messages.stream({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
  stream.on('text', (d) => (mText += d));
  await stream.finalMessage();
  t.equal(mText, 'Write to [REDACTED:email] for details.');
});
