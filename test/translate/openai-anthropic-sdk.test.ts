import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_KEY, OPENAI_KEY, startE2e } from '../e2e/e2e-setup.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const weather = { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

type Json = Record<string, unknown>;

t.test('the OpenAI Node SDK on a tier served by Anthropic', async (t) => {
  const { gw, fake, key } = await startE2e(t);
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });

  t.test('non-stream: a chat.completion with usage (cache reads counted), Anthropic key and body upstream', async (t) => {
    fake.enqueue({ usage: { input: 20, output: 9, cached: 5 } });
    const res = await client.chat.completions
      .create({ model: 'claude', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }], stop: 'END', max_tokens: 50, user: 'u-1' })
      .withResponse();
    const completion = res.data;
    t.equal(completion.object, 'chat.completion');
    t.equal(completion.choices[0]?.message.content, 'Hello from the fake provider, streaming word by word.');
    t.equal(completion.choices[0]?.finish_reason, 'stop');
    t.same(completion.usage && { p: completion.usage.prompt_tokens, c: completion.usage.completion_tokens, cached: completion.usage.prompt_tokens_details?.cached_tokens }, { p: 25, c: 9, cached: 5 });
    t.equal(res.response.headers.get('x-request-id'), res.response.headers.get('x-workjet-request-id'), 'the SDK request id is the gateway id');
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1/messages');
    t.equal(seen?.headers['x-api-key'], ANTHROPIC_KEY);
    t.same(seen?.body, { model: 'claude-sonnet-4', max_tokens: 50, system: [{ type: 'text', text: 'Be terse.' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stop_sequences: ['END'], metadata: { user_id: 'u-1' } });
  });

  t.test('max_tokens defaults to 4096 (Anthropic requires it)', async (t) => {
    await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] });
    t.equal((fake.requests.at(-1)?.body as Json)['max_tokens'], 4096);
  });

  t.test('stream: chunks, finish reason and the usage chunk when asked', async (t) => {
    const stream = await client.chat.completions.create({ model: 'claude', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(finish, 'stop');
    t.match(usage, { prompt_tokens: 11, completion_tokens: 9, total_tokens: 20 });
  });

  t.test('tools: a streamed tool call joined by the SDK, then its result in a second turn', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const runner = client.chat.completions.stream({ model: 'claude', tools: [{ type: 'function', function: weather }], tool_choice: 'required', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const first = await runner.finalChatCompletion();
    const call = first.choices[0]?.message.tool_calls?.[0];
    t.equal(first.choices[0]?.finish_reason, 'tool_calls');
    t.match(call, { id: 'toolu_fake1', type: 'function', function: { name: 'get_weather' } });
    t.same(JSON.parse(call?.type === 'function' ? call.function.arguments : '{}'), { city: 'Paris' });
    t.match(fake.requests.at(-1)?.body, { tools: [{ name: 'get_weather', input_schema: weather.parameters }], tool_choice: { type: 'any' } });

    const second = await client.chat.completions.create({
      model: 'claude',
      tools: [{ type: 'function', function: weather }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_fake1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_fake1', content: '18C' },
      ],
    });
    t.equal(second.choices[0]?.finish_reason, 'stop');
    t.match(fake.requests.at(-1)?.body, {
      messages: [
        { role: 'user' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_fake1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fake1', content: '18C' }] },
      ],
    });
  });

  t.test('images: base64 data URL and https URL', async (t) => {
    await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }],
    });
    t.match(fake.requests.at(-1)?.body, { messages: [{ content: [{ type: 'text' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] }] });
  });

  t.test("an error from the provider is the OpenAI SDK's error class", async (t) => {
    fake.enqueue({ status: 400, errorBody: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } } });
    const err = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.BadRequestError);
    t.match((err as Error).message, /prompt is too long/);
    t.equal((err as InstanceType<typeof OpenAI.BadRequestError>).type, 'invalid_request_error');
    t.match((err as InstanceType<typeof OpenAI.BadRequestError>).requestID, /.+/);
  });

  t.test('an overloaded_error event before any content is a 502 the SDK raises (nothing was streamed yet)', async (t) => {
    fake.enqueue({ errorEventFirst: true });
    const err = await (async () => {
      const stream = await client.chat.completions.create({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      for await (const _ of stream) void _;
    })().catch((e: unknown) => e);
    t.type(err, OpenAI.InternalServerError);
    t.equal((err as InstanceType<typeof OpenAI.InternalServerError>).status, 502);
  });
});

t.test('the OpenAI Responses API on a tier served by Anthropic', async (t) => {
  const { gw, fake, key } = await startE2e(t);
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });

  t.test('non-stream: output_text, usage, instructions as system', async (t) => {
    fake.enqueue({ usage: { input: 20, output: 9, cached: 5 } });
    const response = await client.responses.create({ model: 'claude', instructions: 'Be terse.', input: 'hi', max_output_tokens: 30 });
    t.equal(response.object, 'response');
    t.equal(response.status, 'completed');
    t.equal(response.output_text, 'Hello from the fake provider, streaming word by word.');
    t.match(response.usage, { input_tokens: 25, input_tokens_details: { cached_tokens: 5 }, output_tokens: 9, total_tokens: 34 });
    t.same(fake.requests.at(-1)?.body, { model: 'claude-sonnet-4', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 30, system: [{ type: 'text', text: 'Be terse.' }] });
  });

  t.test('stream: text deltas and response.completed with usage', async (t) => {
    const stream = client.responses.stream({ model: 'claude', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] });
    let text = '';
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await stream.finalResponse();
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(final.output_text, text);
    t.match(final.usage, { input_tokens: 11, output_tokens: 9 });
  });

  t.test('tools: a function_call item, then its function_call_output', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_weather', parameters: weather.parameters, strict: false }];
    const first = await client.responses.stream({ model: 'claude', tools, input: 'Weather?' }).finalResponse();
    const call = first.output.find((o) => o.type === 'function_call');
    t.match(call, { type: 'function_call', call_id: 'toolu_fake1', name: 'get_weather' });
    if (call?.type !== 'function_call') return;
    t.same(JSON.parse(call.arguments), { city: 'Paris' });
    await client.responses.create({ model: 'claude', tools, input: [{ role: 'user', content: 'Weather?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18C' }] });
    t.match(fake.requests.at(-1)?.body, { messages: [{ role: 'user' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_fake1', input: { city: 'Paris' } }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fake1', content: '18C' }] }] });
  });

  t.test('previous_response_id cannot be served by another provider: 400 naming it', async (t) => {
    const err = await client.responses.create({ model: 'claude', input: 'hi', previous_response_id: 'resp_1' }).catch((e: unknown) => e);
    t.type(err, OpenAI.BadRequestError);
    t.equal((err as InstanceType<typeof OpenAI.BadRequestError>).param, 'previous_response_id');
  });
});

t.test('the Anthropic SDK on a tier served by OpenAI', async (t) => {
  const { gw, fake, key } = await startE2e(t);
  const client = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });

  t.test('non-stream: a Message with usage, OpenAI key and body upstream', async (t) => {
    fake.enqueue({ usage: { input: 20, output: 9, cached: 5 } });
    const res = await client.messages.create({ model: 'fast', max_tokens: 50, system: 'Be terse.', stop_sequences: ['END'], messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const message = res.data;
    t.equal(message.type, 'message');
    t.match(message.content, [{ type: 'text', text: 'Hello from the fake provider, streaming word by word.' }]);
    t.equal(message.stop_reason, 'end_turn');
    t.match(message.usage, { input_tokens: 15, cache_read_input_tokens: 5, output_tokens: 9 });
    t.equal(res.response.headers.get('request-id'), res.response.headers.get('x-workjet-request-id'));
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1/chat/completions');
    t.equal(seen?.headers['authorization'], `Bearer ${OPENAI_KEY}`);
    t.same(seen?.body, { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }], max_tokens: 50, stop: ['END'] });
  });

  t.test('stream: text events, stop reason and usage in the final message', async (t) => {
    const stream = client.messages.stream({ model: 'fast', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(final.stop_reason, 'end_turn');
    t.match(final.usage, { input_tokens: 11, output_tokens: 9 });
    t.match(fake.requests.at(-1)?.body, { stream: true, stream_options: { include_usage: true } });
  });

  t.test('tools: streamed tool_use input joined by the SDK, then the tool_result turn', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const tools = [{ name: 'get_weather', description: 'Weather of a city', input_schema: weather.parameters as Anthropic.Tool.InputSchema }];
    const final = await client.messages.stream({ model: 'fast', max_tokens: 50, tools, tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
    t.equal(final.stop_reason, 'tool_use');
    t.match(final.content, [{ type: 'tool_use', id: 'call_fake1', name: 'get_weather', input: { city: 'Paris' } }]);
    t.match(fake.requests.at(-1)?.body, { tools: [{ type: 'function', function: { name: 'get_weather', parameters: weather.parameters } }], tool_choice: { type: 'function', function: { name: 'get_weather' } } });

    const second = await client.messages.create({
      model: 'fast',
      max_tokens: 50,
      tools,
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_fake1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_fake1', content: '18C' }, { type: 'text', text: 'and now?' }] },
      ],
    });
    t.equal(second.stop_reason, 'end_turn');
    t.match(fake.requests.at(-1)?.body, {
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_fake1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_fake1', content: '18C' },
        { role: 'user', content: [{ type: 'text', text: 'and now?' }] },
      ],
    });
  });

  t.test('an image block becomes an image_url part', async (t) => {
    await client.messages.create({ model: 'fast', max_tokens: 50, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } }] }] });
    t.match(fake.requests.at(-1)?.body, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }, { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }] });
  });

  t.test("an error from the provider is the Anthropic SDK's error class", async (t) => {
    fake.enqueue({ status: 404 });
    const err = await client.messages.create({ model: 'fast', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, Anthropic.NotFoundError);
    t.match(JSON.stringify((err as InstanceType<typeof Anthropic.NotFoundError>).error), /not_found_error/);
  });
});
