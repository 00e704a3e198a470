import t from 'tap';
import OpenAI from 'openai';
import { OPENAI_KEY, BACKUP_KEY, providerNeverSawKey, startE2e } from './e2e-setup.js';

t.test('OpenAI SDK through the gateway: non-stream, stream, tools, embeddings, fallback', async (t) => {
  const { gw, fake, backup, key } = await startE2e(t);
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });

  t.test('non-stream chat carries the tenant key upstream and the request ids back', async (t) => {
    const completion = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    t.equal(completion.choices[0]?.message.content, 'Hello from the fake provider, streaming word by word.');
    t.match(completion._request_id, /^req_/);
    const seen = fake.requests.at(-1);
    t.equal(seen?.headers['authorization'], `Bearer ${OPENAI_KEY}`);
    t.equal((seen?.body as Record<string, unknown>)['model'], 'gpt-4o-mini');
  });

  t.test('stream chat: text arrives, no usage chunk unless asked', async (t) => {
    const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(usageChunks, 0);
    const withUsage = await client.chat.completions.create({ model: 'fast', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    t.match(usage, { prompt_tokens: 11, completion_tokens: 9 });
  });

  t.test('tool calls, non-stream and streamed', async (t) => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const res = await client.chat.completions.create({ model: 'fast', tools, messages: [{ role: 'user', content: 'weather?' }] });
    const call = res.choices[0]?.message.tool_calls?.[0];
    t.equal(res.choices[0]?.finish_reason, 'tool_calls');
    t.same(call?.type === 'function' ? JSON.parse(call.function.arguments) : null, { city: 'Paris' });
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Rome', days: 3 } } });
    const final = await client.chat.completions.stream({ model: 'fast', tools, messages: [{ role: 'user', content: 'weather?' }] }).finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    t.same(streamed?.type === 'function' ? JSON.parse(streamed.function.arguments) : null, { city: 'Rome', days: 3 });
  });

  t.test('embeddings: the SDK default (base64) decodes to the provider floats', async (t) => {
    const res = await client.embeddings.create({ model: 'embed', input: ['a', 'b'] });
    t.equal(res.data.length, 2);
    t.same(res.data[0]?.embedding.slice(0, 3), [0.01, 0.02, 0.03].map(Math.fround));
    t.equal((fake.requests.at(-1)?.body as Record<string, unknown>)['encoding_format'], 'base64');
  });

  t.test('responses API, non-stream and stream', async (t) => {
    const r = await client.responses.create({ model: 'fast', input: 'hi' });
    t.equal(r.output_text, 'Hello from the fake provider, streaming word by word.');
    const stream = await client.responses.create({ model: 'fast', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    t.equal(types.at(-1), 'response.completed');
    fake.enqueue({ dieMidStream: true });
    const broken = await client.responses.create({ model: 'fast', input: 'hi', stream: true });
    const err = await (async () => {
      for await (const _event of broken) void _event;
    })().then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof OpenAI.APIError, 'a mid-stream failure raises in the SDK');
  });

  t.test('a 5xx from the provider falls back to the next tier', async (t) => {
    fake.enqueue({ status: 503 });
    const res = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    t.equal(res.model, 'gpt-backup');
    t.equal(backup.requests.at(-1)?.headers['authorization'], `Bearer ${BACKUP_KEY}`);
  });

  t.test('upstream failure without a working fallback is a 502 the SDK raises', async (t) => {
    fake.enqueue({ status: 500 });
    backup.enqueue({ status: 500 });
    const err = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof OpenAI.InternalServerError);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 502);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'upstream_error');
  });

  t.test('the providers never saw the wj_ key', async (t) => {
    t.ok(fake.requests.length > 5);
    t.ok(providerNeverSawKey([fake, backup], key));
  });
});
