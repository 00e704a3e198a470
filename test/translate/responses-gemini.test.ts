import t from 'tap';
import OpenAI from 'openai';
import { startGeminiTenant } from '../helpers/gemini-tenant.js';
import { FAKE_THOUGHT_SIGNATURE } from '../fake-provider/gemini-fixtures.js';
import { fixture, pinCreated, translateStream } from './stream-fixture.js';
import { responsesToGemini } from '../../proxy/translate/responses-gemini/responses-to-gemini.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';

/**
 * OpenAI Responses client → Gemini provider: the byte-level stream fixture (events, order,
 * terminal event), and the official `openai` SDK's `client.responses` on a tier served by
 * Gemini (non-stream, stream, a function call and its output in a second turn, an image, a
 * provider error).
 */

const GEMINI_KEY = 'AIzaSy-acme-gemini-responses-key-00';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
type Json = Record<string, unknown>;

/** Gemini sends no call ids: the gateway mints them; the fixture pins the minted part (the thought signature stays). */
const pinMinted = (bytes: string): string => pinCreated(bytes).replace(/call_[a-z0-9]+/g, 'call_minted');

function eventNames(bytes: string): string[] {
  return bytes.split('\n').filter((l) => l.startsWith('event: ')).map((l) => l.slice(7));
}

t.test('Responses client ← Gemini stream: created, text item, two whole calls, response.completed with the last usage', async (t) => {
  const { bytes, usage } = translateStream('gemini', 'openai', 'responses', fixture('gemini-tool-stream.sse'), false);
  t.equal(pinMinted(bytes), fixture('responses-from-gemini-tool-stream.sse'));
  const names = eventNames(bytes);
  t.same([names[0], names[1], names.at(-1)], ['response.created', 'response.in_progress', 'response.completed'], 'terminal event last');
  t.same(names.filter((n) => n === 'response.output_item.done').length, 3, 'one message item and two function_call items');
  const seqs = bytes.split('\n').filter((l) => l.startsWith('data: ')).map((l) => (JSON.parse(l.slice(6)) as { sequence_number: number }).sequence_number);
  t.same(seqs, seqs.map((_, i) => i), 'sequence numbers count up from 0');
  t.notMatch(bytes, /Let me think/, 'thought summaries are never answer text');
  t.match(bytes, /"call_id":"call_[a-z0-9]+__thought__CiQBsig"/, "the first call's thought signature rides in its call id");
  const last = JSON.parse(bytes.trimEnd().split('\n').at(-1)?.slice(6) ?? '{}') as { response: { usage: unknown; output: unknown[] } };
  t.same(last.response.usage, { input_tokens: 220, input_tokens_details: { cached_tokens: 100 }, output_tokens: 200, output_tokens_details: { reasoning_tokens: 185 }, total_tokens: 420 });
  t.equal(last.response.output.length, 3);
  t.same(usage, { inputTokens: 220, outputTokens: 200, cachedInputTokens: 100 }, 'spend settles from the last usage');
});

t.test('a Gemini stream cut before its finish reason gets no response.completed; an error event becomes the Responses error event', async (t) => {
  const cut = fixture('gemini-tool-stream.sse').split('\r\n\r\n').slice(0, 3).join('\r\n\r\n') + '\r\n\r\n';
  const truncated = translateStream('gemini', 'openai', 'responses', cut, false);
  t.notMatch(truncated.bytes, /response\.completed|response\.incomplete/);
  t.equal(truncated.usage?.estimated, true);
  const failing = fixture('gemini-tool-stream.sse').split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\ndata: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n';
  const { bytes } = translateStream('gemini', 'openai', 'responses', failing, false);
  t.equal(eventNames(bytes).at(-1), 'error');
  t.match(bytes.trimEnd().split('\n').at(-1), /"message":"The model is overloaded\."/);
  t.notMatch(bytes, /response\.completed/);
});

t.test('MAX_TOKENS ends the stream as response.incomplete (max_output_tokens)', async (t) => {
  const upstream = 'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1,"totalTokenCount":6},"responseId":"r1","modelVersion":"gemini-2.5-flash"}\r\n\r\n';
  const { bytes } = translateStream('gemini', 'openai', 'responses', upstream, false);
  t.equal(eventNames(bytes).at(-1), 'response.incomplete');
  t.match(bytes, /"incomplete_details":\{"reason":"max_output_tokens"\}/);
});

t.test('request mapping: developer items join instructions, reasoning items are skipped, parallel calls share one model turn', async (t) => {
  const body = responsesToGemini({
    model: 'flash',
    instructions: 'Be terse.',
    input: [
      { role: 'developer', content: 'Answer in French.' },
      { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris and Rome?' }] },
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'function_call', call_id: 'call_a__thought__SIG', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' },
      { type: 'function_call_output', call_id: 'call_a__thought__SIG', output: '18C' },
      { type: 'function_call_output', call_id: 'call_b', output: '22C' },
    ],
    text: { format: { type: 'json_schema', name: 'w', schema } },
  });
  t.same(body, {
    contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'SIG' }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18C' } } }, { functionResponse: { name: 'get_weather', response: { output: '22C' } } }] },
    ],
    systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Answer in French.' }] },
    generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
  });
});

t.test('request refusals name the field (never a silent drop)', async (t) => {
  const refused = (body: Record<string, unknown>): unknown => {
    try {
      responsesToGemini({ model: 'flash', input: 'hi', ...body });
    } catch (err) {
      return err instanceof GatewayError ? { code: err.code, param: err.param } : err;
    }
    return undefined;
  };
  t.same(refused({ tools: [{ type: 'web_search_preview' }] }), { code: 'invalid_request', param: 'tools[0].type' }, 'built-in tools');
  t.same(refused({ reasoning: { effort: 'high' } }), { code: 'invalid_request', param: 'reasoning' });
  t.same(refused({ include: ['reasoning.encrypted_content'] }), { code: 'invalid_request', param: 'include' });
  t.same(refused({ input: [{ type: 'function_call_output', call_id: 'call_x', output: '1' }] }), { code: 'invalid_request', param: 'input[0].call_id' }, 'a result whose call is not in the conversation');
  t.same(refused({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }), { code: 'invalid_request', param: 'input[0].content[0].type' });
  t.equal(refused({ store: false, parallel_tool_calls: true, truncation: 'disabled' }), undefined, 'default-valued fields pass');
});

t.test('the OpenAI Responses API on a tier served by Gemini', async (t) => {
  const { gw, fake, key } = await startGeminiTenant(t, GEMINI_KEY, { flash: 'gemini-2.5-flash' });
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });

  t.test('non-stream: generateContent with the key in x-goog-api-key, a response object back', async (t) => {
    fake.enqueue({ usage: { input: 20, output: 9, cached: 5 } });
    const response = await client.responses.create({ model: 'flash', instructions: 'Be terse.', input: 'hi', max_output_tokens: 30, temperature: 0.5, text: { format: { type: 'json_object' } } });
    t.equal(response.object, 'response');
    t.equal(response.status, 'completed');
    t.equal(response.output_text, 'Hello from the fake provider, streaming word by word.');
    t.match(response.usage, { input_tokens: 20, input_tokens_details: { cached_tokens: 5 }, output_tokens: 9, total_tokens: 29 });
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1beta/models/gemini-2.5-flash:generateContent');
    t.equal(seen?.headers['x-goog-api-key'], GEMINI_KEY);
    t.notOk(seen?.headers['authorization'], 'the client credential never reaches Google');
    t.same(seen?.body, {
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      generationConfig: { maxOutputTokens: 30, temperature: 0.5, responseMimeType: 'application/json' },
    });
  });

  t.test('stream: streamGenerateContent?alt=sse becomes text deltas and response.completed with usage', async (t) => {
    const stream = client.responses.stream({ model: 'flash', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] });
    let text = '';
    stream.on('response.output_text.delta', (e) => (text += e.delta));
    const final = await stream.finalResponse();
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(final.output_text, text);
    t.equal(final.status, 'completed');
    t.match(final.usage, { input_tokens: 11, output_tokens: 9 });
    t.equal(fake.requests.at(-1)?.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  t.test('tools: a function_call item streamed, its function_call_output in the second turn', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const tools: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_weather', description: 'Weather now', parameters: schema, strict: false }];
    const first = await client.responses.stream({ model: 'flash', tools, tool_choice: 'required', input: 'Weather?' }).finalResponse();
    t.match(fake.requests.at(-1)?.body, { tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather now', parametersJsonSchema: schema }] }], toolConfig: { functionCallingConfig: { mode: 'ANY' } } });
    const call = first.output.find((o) => o.type === 'function_call');
    t.match(call, { type: 'function_call', name: 'get_weather', status: 'completed' });
    if (call?.type !== 'function_call') return;
    t.same(JSON.parse(call.arguments), { city: 'Paris' });

    fake.enqueue({ text: 'It is 18C in Paris.' });
    const second = await client.responses.create({ model: 'flash', tools, input: [{ role: 'user', content: 'Weather?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18C' }] });
    t.equal(second.output_text, 'It is 18C in Paris.');
    t.same((fake.requests.at(-1)?.body as Json)['contents'], [
      { role: 'user', parts: [{ text: 'Weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: FAKE_THOUGHT_SIGNATURE }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: '18C' } } }] },
    ], 'the signature went back on the same part; the output names the function');
  });

  t.test('a non-stream function call comes back as a function_call item', async (t) => {
    fake.enqueue({ toolCall: { name: 'get_weather', arguments: { city: 'Rome' } } });
    const response = await client.responses.create({ model: 'flash', tools: [{ type: 'function', name: 'get_weather', parameters: schema, strict: false }], tool_choice: { type: 'function', name: 'get_weather' }, input: 'Weather?' });
    t.match(response.output, [{ type: 'function_call', name: 'get_weather', arguments: '{"city":"Rome"}' }]);
    t.match(fake.requests.at(-1)?.body, { toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } } });
  });

  t.test('an input_image becomes inlineData (data URL) or fileData (https URL)', async (t) => {
    await client.responses.create({ model: 'flash', input: [{ role: 'user', content: [{ type: 'input_text', text: 'what?' }, { type: 'input_image', detail: 'auto', image_url: `data:image/png;base64,${PNG}` }, { type: 'input_image', detail: 'auto', image_url: 'https://example.com/a.jpg' }] }] });
    t.same((fake.requests.at(-1)?.body as Json)['contents'], [{ role: 'user', parts: [{ text: 'what?' }, { inlineData: { mimeType: 'image/png', data: PNG } }, { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.jpg' } }] }]);
  });

  t.test("a Gemini error is the OpenAI SDK's error class, in the OpenAI shape", async (t) => {
    fake.enqueue({ status: 404 });
    const err = await client.responses.create({ model: 'flash', input: 'hi' }).catch((e: unknown) => e);
    t.type(err, OpenAI.NotFoundError);
    t.match((err as Error).message, /NOT_FOUND/);
    fake.enqueue({ status: 400 });
    const bad = await client.responses.create({ model: 'flash', input: 'hi' }).catch((e: unknown) => e);
    t.type(bad, OpenAI.BadRequestError);
    t.notMatch(JSON.stringify((bad as InstanceType<typeof OpenAI.BadRequestError>).error), /AIzaSy/, 'no provider key in the error');
  });

  t.test('previous_response_id cannot be served by Gemini: 400 naming it', async (t) => {
    const err = await client.responses.create({ model: 'flash', input: 'hi', previous_response_id: 'resp_1' }).catch((e: unknown) => e);
    t.type(err, OpenAI.BadRequestError);
    t.equal((err as InstanceType<typeof OpenAI.BadRequestError>).param, 'previous_response_id');
  });
});
