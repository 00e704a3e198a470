import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, makeKey } from '../helpers/gateway.js';

t.test('the built-in demo provider through the real gateway, with the official SDKs and plain HTTP', async (t) => {
  const bob = makeKey('key-bob', 'bob');
  const gw = await startGateway(t, {
    tenants: [
      {
        id: 'demo',
        providers: { demo: { type: 'demo' } },
        tiers: { fast: { provider: 'demo', model: 'demo-fast' }, claude: { provider: 'demo', model: 'demo-claude' } },
        users: [{ id: 'bob', role: 'member' }],
        apiKeys: [bob.entry],
      },
    ],
  });
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: bob.key, maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: bob.key, maxRetries: 0 });

  const chat = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hello' }] });
  t.match(chat.choices[0]?.message.content, /You said: "Hello"/);
  t.equal(chat.model, 'demo-fast');

  let streamed = '';
  for await (const chunk of await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'stream' }] })) {
    streamed += chunk.choices[0]?.delta.content ?? '';
    t.notOk(chunk.usage, 'the forced usage chunk is not shown to a client that did not ask');
  }
  t.match(streamed, /You said: "stream"/);

  const emb = await openai.embeddings.create({ model: 'fast', input: 'vector me' });
  t.equal(emb.data[0]?.embedding.length, 1536);

  const resp = await openai.responses.create({ model: 'fast', input: 'responses' });
  t.match(resp.output_text, /responses/);

  const msg = await anthropic.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'claude?' }] }).finalMessage();
  t.match(msg.content[0]?.type === 'text' ? msg.content[0].text : '', /You said: "claude\?"/);

  // What the README's curl does: a plain HTTP stream, read as SSE text.
  const res = await fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bob.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'curl' }] }),
  });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/event-stream/);
  t.match(res.headers.get('x-request-id'), /^req_/);
  const text = await res.text();
  t.match(text, /^data: \{"id":"chatcmpl-/);
  t.ok(text.endsWith('data: [DONE]\n\n'));
});
