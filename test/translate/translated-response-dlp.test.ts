import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';

/** Response DLP reads what the client gets: on a translated call, the client's format, not the provider's. */
t.test('response DLP redacts translated answers, streamed and whole, in the client format', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    tenants: [{
      id: 'acme',
      providers: { openai: { apiKey: 'sk-o-000000000', baseUrl: fake.openaiBaseUrl }, anthropic: { apiKey: 'sk-a-000000000', baseUrl: fake.anthropicBaseUrl }, google: { type: 'gemini', apiKey: 'AIza-000000000', baseUrl: fake.geminiBaseUrl } },
      tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' }, claude: { provider: 'anthropic', model: 'claude-x' }, flash: { provider: 'google', model: 'gemini-2.5-flash' } },
      users: [{ id: 'alice', role: 'member' }],
      apiKeys: [alice.entry],
      dlp: { detectors: { email: 'redact' }, responses: 'redact' },
    }],
  });
  const text = 'write to jane.doe@example.com today';
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: alice.key, maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: alice.key, maxRetries: 0 });

  for (const tier of ['claude', 'flash']) {
    t.test(`OpenAI client on ${tier}: stream split across chunks, and non-stream`, async (t) => {
      fake.enqueue({ text });
      const stream = await openai.chat.completions.create({ model: tier, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      let got = '';
      for await (const chunk of stream) got += chunk.choices[0]?.delta.content ?? '';
      t.equal(got, 'write to [REDACTED:email] today');
      fake.enqueue({ text });
      const whole = await openai.chat.completions.create({ model: tier, messages: [{ role: 'user', content: 'hi' }] });
      t.equal(whole.choices[0]?.message.content, 'write to [REDACTED:email] today');
    });
  }

  for (const tier of ['fast', 'flash']) {
    t.test(`Anthropic client on ${tier}`, async (t) => {
      fake.enqueue({ text });
      const stream = anthropic.messages.stream({ model: tier, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
      let got = '';
      stream.on('text', (d) => (got += d));
      await stream.finalMessage();
      t.equal(got, 'write to [REDACTED:email] today');
      fake.enqueue({ text });
      const whole = await anthropic.messages.create({ model: tier, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
      t.match(whole.content, [{ type: 'text', text: 'write to [REDACTED:email] today' }]);
    });
  }
});
