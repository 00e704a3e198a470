import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startDemoServer } from '../../proxy/providers/demo/demo-server.js';
import { startForwardHarness } from './forward-harness.js';

// The demo provider is checked with the official SDKs: they parse the real wire formats.

t.test('demo speaks OpenAI chat (JSON, stream with usage, tool calls) to the official SDK', async (t) => {
  const demo = await startDemoServer({ chunkDelayMs: 0 });
  t.teardown(() => demo.close());
  const client = new OpenAI({ baseURL: demo.baseUrl, apiKey: 'unused', maxRetries: 0 });
  const completion = await client.chat.completions.create({ model: 'demo-fast', messages: [{ role: 'user', content: 'ping pong' }] });
  t.match(completion.choices[0]?.message.content, /You said: "ping pong"/);
  t.equal(completion.choices[0]?.finish_reason, 'stop');
  t.ok((completion.usage?.prompt_tokens ?? 0) > 0 && (completion.usage?.completion_tokens ?? 0) > 0);
  t.match(completion._request_id, /^req_demo/);

  const stream = await client.chat.completions.create({ model: 'demo-fast', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello' }] });
  let text = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  t.match(text, /You said: "hello"/);
  t.ok(usage && usage.completion_tokens > 1, 'usage chunk arrives when asked');

  const capped = await client.chat.completions.create({ model: 'demo-fast', max_tokens: 3, messages: [{ role: 'user', content: 'x' }] });
  t.equal(capped.choices[0]?.finish_reason, 'length');
  t.ok((capped.usage?.completion_tokens ?? 99) <= 3);

  const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] } } }];
  const call = await client.chat.completions.create({ model: 'demo-fast', tools, tool_choice: 'required', messages: [{ role: 'user', content: 'weather?' }] });
  const toolCall = call.choices[0]?.message.tool_calls?.[0];
  t.equal(call.choices[0]?.finish_reason, 'tool_calls');
  t.ok(toolCall?.type === 'function' && toolCall.function.name === 'get_weather');
  t.same(toolCall?.type === 'function' ? JSON.parse(toolCall.function.arguments) : null, { city: 'demo', days: 1 });

  const runner = client.chat.completions.stream({ model: 'demo-fast', tools, messages: [{ role: 'user', content: 'call get_weather please' }] });
  const final = await runner.finalChatCompletion();
  const streamed = final.choices[0]?.message.tool_calls?.[0];
  t.same(streamed?.type === 'function' ? JSON.parse(streamed.function.arguments) : null, { city: 'demo', days: 1 }, 'streamed tool-call fragments join up');
});

t.test('demo speaks the Responses API and embeddings (base64 default and float)', async (t) => {
  const demo = await startDemoServer({ chunkDelayMs: 0 });
  t.teardown(() => demo.close());
  const client = new OpenAI({ baseURL: demo.baseUrl, apiKey: 'unused', maxRetries: 0 });
  const response = await client.responses.create({ model: 'demo-smart', input: 'tell me' });
  t.match(response.output_text, /You said: "tell me"/);
  t.equal(response.status, 'completed');
  t.ok((response.usage?.output_tokens ?? 0) > 0);

  const stream = client.responses.stream({ model: 'demo-smart', input: 'streamed' });
  let deltas = '';
  stream.on('response.output_text.delta', (e) => (deltas += e.delta));
  const done = await stream.finalResponse();
  t.equal(deltas, done.output_text);
  t.match(done.output_text, /streamed/);

  const b64 = await client.embeddings.create({ model: 'demo-embed', input: ['a', 'b'] });
  t.equal(b64.data.length, 2);
  t.equal(b64.data[0]?.embedding.length, 1536, 'SDK decoded the base64 little-endian float32 vector');
  const norm = Math.sqrt((b64.data[0]?.embedding ?? []).reduce((n, v) => n + v * v, 0));
  t.ok(Math.abs(norm - 1) < 1e-3, 'unit vector');
  const floats = await client.embeddings.create({ model: 'demo-embed', input: 'a', encoding_format: 'float', dimensions: 64 });
  t.equal(floats.data[0]?.embedding.length, 64);
  const b64small = await client.embeddings.create({ model: 'demo-embed', input: 'a', dimensions: 64 });
  t.same(b64small.data[0]?.embedding, floats.data[0]?.embedding.map((v) => Math.fround(v)), 'base64 and float carry the same vector');
  const again = await client.embeddings.create({ model: 'demo-embed', input: 'a', encoding_format: 'float', dimensions: 64 });
  t.same(again.data[0]?.embedding, floats.data[0]?.embedding, 'deterministic');
});

t.test('demo speaks Anthropic messages (JSON, stream, tool use) to the official SDK', async (t) => {
  const demo = await startDemoServer({ chunkDelayMs: 0 });
  t.teardown(() => demo.close());
  const client = new Anthropic({ baseURL: demo.baseUrl.replace(/\/v1$/, ''), apiKey: 'unused', maxRetries: 0 });
  const message = await client.messages.create({ model: 'demo-smart', max_tokens: 200, messages: [{ role: 'user', content: 'bonjour' }] });
  t.equal(message.type, 'message');
  t.match(message.content[0]?.type === 'text' ? message.content[0].text : '', /You said: "bonjour"/);
  t.equal(message.stop_reason, 'end_turn');
  t.ok(message.usage.input_tokens > 0);

  const stream = client.messages.stream({ model: 'demo-smart', max_tokens: 200, messages: [{ role: 'user', content: 'stream it' }] });
  let text = '';
  stream.on('text', (d) => (text += d));
  const final = await stream.finalMessage();
  t.match(text, /You said: "stream it"/);
  t.ok(final.usage.output_tokens > 1);

  const tool = await client.messages.stream({
    model: 'demo-smart', max_tokens: 200, tool_choice: { type: 'any' },
    tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }],
    messages: [{ role: 'user', content: 'find it' }],
  }).finalMessage();
  t.equal(tool.stop_reason, 'tool_use');
  t.match(tool.content[0], { type: 'tool_use', name: 'lookup', input: { q: 'demo' } });
});

t.test('a demo tier goes through route + forward like any provider', async (t) => {
  const harness = await startForwardHarness(t, { providers: { demo: { type: 'demo' } }, tiers: { fast: { provider: 'demo', model: 'demo-fast' } } });
  const openai = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'wj_demo', maxRetries: 0 });
  const stream = await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'via gateway' }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  t.match(text, /via gateway/);
  const ctx = await harness.done(0);
  t.equal(ctx.usage?.estimated, undefined, 'exact usage from the forced usage chunk');
  t.ok((ctx.usage?.outputTokens ?? 0) > 0);
  const anthropic = new Anthropic({ baseURL: harness.url, apiKey: 'wj_demo', maxRetries: 0 });
  const err = await anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof Anthropic.NotFoundError, 'errors come back in the Anthropic shape the SDK maps');
});
