import t, { type Test } from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGeminiTenant } from '../helpers/gemini-tenant.js';
import { withTopK } from '../helpers/anthropic-top-k.js';
import { FAKE_THOUGHT_SIGNATURE } from '../fake-provider/gemini-fixtures.js';

const GEMINI_KEY = 'AIzaSy-acme-gemini-tenant-key-000';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
type Json = Record<string, unknown>;

async function setup(t: Test) {
  return startGeminiTenant(t, GEMINI_KEY, { flash: 'gemini-2.5-flash' });
}

t.test('the OpenAI Node SDK on a tier served by Gemini', async (t) => {
  const { gw, fake, key } = await setup(t);
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });

  t.test('non-stream: generateContent with the key in x-goog-api-key, a chat.completion back', async (t) => {
    fake.enqueue({ usage: { input: 20, output: 9, cached: 5 } });
    const completion = await client.chat.completions.create({ model: 'flash', max_tokens: 40, stop: ['END'], response_format: { type: 'json_object' }, messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }] });
    t.equal(completion.choices[0]?.message.content, 'Hello from the fake provider, streaming word by word.');
    t.equal(completion.choices[0]?.finish_reason, 'stop');
    t.match(completion.usage, { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29, prompt_tokens_details: { cached_tokens: 5 } });
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    t.equal(seen?.headers['x-goog-api-key'], GEMINI_KEY);
    t.notOk(seen?.headers['authorization']);
    t.same(seen?.body, {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      generationConfig: { maxOutputTokens: 40, stopSequences: ['END'], responseMimeType: 'application/json' },
    });
  });

  t.test('stream: streamGenerateContent?alt=sse (CRLF, no [DONE]) becomes a chat stream ending in [DONE]', async (t) => {
    const stream = await client.chat.completions.create({ model: 'flash', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(finish, 'stop');
    t.match(usage, { prompt_tokens: 11, completion_tokens: 9 });
    t.equal(fake.requests.at(-1)?.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  t.test('tools: the call (thought signature kept in the id) and its result in a second turn', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: schema } }];
    const first = await client.chat.completions.stream({ model: 'flash', tools, messages: [{ role: 'user', content: 'Weather?' }] }).finalChatCompletion();
    const call = first.choices[0]?.message.tool_calls?.[0];
    t.equal(first.choices[0]?.finish_reason, 'tool_calls');
    t.ok(call && call.type === 'function');
    if (!call || call.type !== 'function') return;
    t.same(JSON.parse(call.function.arguments), { city: 'Paris' });
    t.match(fake.requests.at(-1)?.body, { tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: schema }] }] });

    const second = await client.chat.completions.create({ model: 'flash', tools, messages: [{ role: 'user', content: 'Weather?' }, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '18C' }] });
    t.equal(second.choices[0]?.finish_reason, 'stop');
    t.same((fake.requests.at(-1)?.body as Json)['contents'], [
      { role: 'user', parts: [{ text: 'Weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: FAKE_THOUGHT_SIGNATURE }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18C' } } }] },
    ], 'the signature went back on the same part; the result names the function');
  });

  t.test('an image part becomes inlineData', async (t) => {
    await client.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'what?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }, { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } }] }] });
    t.same((fake.requests.at(-1)?.body as Json)['contents'], [{ role: 'user', parts: [{ text: 'what?' }, { inlineData: { mimeType: 'image/png', data: PNG } }, { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.jpg' } }] }]);
  });

  t.test("a Gemini error is the OpenAI SDK's error class", async (t) => {
    fake.enqueue({ status: 404 });
    const err = await client.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.NotFoundError);
    t.match((err as Error).message, /NOT_FOUND/);
    fake.enqueue({ status: 429 });
    const limited = await client.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(limited, OpenAI.APIError, 'a 429 with no fallback is the gateway 502');
  });
});

t.test('the Anthropic SDK on a tier served by Gemini', async (t) => {
  const { gw, fake, key } = await setup(t);
  const client = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });

  t.test('non-stream and stream', async (t) => {
    fake.enqueue({ usage: { input: 20, output: 9, cached: 5 } });
    const message = await client.messages.create(withTopK({ model: 'flash', max_tokens: 40, system: 'Be terse.', messages: [{ role: 'user', content: 'hi' }] }, 5));
    t.match(message, { type: 'message', content: [{ type: 'text', text: 'Hello from the fake provider, streaming word by word.' }], stop_reason: 'end_turn', usage: { input_tokens: 15, cache_read_input_tokens: 5, output_tokens: 9 } });
    t.match(fake.requests.at(-1)?.body, { systemInstruction: { parts: [{ text: 'Be terse.' }] }, generationConfig: { maxOutputTokens: 40, topK: 5 } });
    const stream = client.messages.stream({ model: 'flash', max_tokens: 40, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (d) => (text += d));
    const final = await stream.finalMessage();
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(final.stop_reason, 'end_turn');
    t.match(final.usage, { output_tokens: 9 });
  });

  t.test('tools: tool_use streamed, tool_result in the second turn', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const tools = [{ name: 'get_weather', input_schema: schema as Anthropic.Tool.InputSchema }];
    const final = await client.messages.stream({ model: 'flash', max_tokens: 40, tools, messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
    t.equal(final.stop_reason, 'tool_use');
    const use = final.content.find((b) => b.type === 'tool_use');
    t.match(use, { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    if (!use || use.type !== 'tool_use') return;
    const second = await client.messages.create({ model: 'flash', max_tokens: 40, tools, messages: [{ role: 'user', content: 'Weather?' }, { role: 'assistant', content: final.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'boom', is_error: true }] }] });
    t.equal(second.stop_reason, 'end_turn');
    t.same((fake.requests.at(-1)?.body as Json)['contents'], [
      { role: 'user', parts: [{ text: 'Weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: FAKE_THOUGHT_SIGNATURE }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { error: 'boom' } } }] },
    ]);
  });

  t.test('an image block, and an error in the Anthropic shape', async (t) => {
    await client.messages.create({ model: 'flash', max_tokens: 40, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }] }] });
    t.same((fake.requests.at(-1)?.body as Json)['contents'], [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PNG } }] }]);
    fake.enqueue({ status: 400 });
    const err = await client.messages.create({ model: 'flash', max_tokens: 40, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, Anthropic.BadRequestError);
    t.match(JSON.stringify((err as InstanceType<typeof Anthropic.BadRequestError>).error), /invalid_request_error/);
  });
});
