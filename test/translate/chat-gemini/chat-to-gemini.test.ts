import t from 'tap';
import { chatToGemini } from '../../../proxy/translate/chat-gemini/chat-to-gemini.js';
import { chatToGeminiTranslator } from '../../../proxy/translate/chat-gemini/index.js';
import { refuses } from '../translation-assert.js';

/** OpenAI chat request → Gemini `generateContent` body, field by field (WIRE-GEMINI.md §6). */

const user = (content: unknown) => ({ role: 'user', content });
const ask = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-x', messages: [user('hi')], ...extra });

t.test('the pair: model and stream flag stay out of the body (both go in the URL)', async (t) => {
  t.match(chatToGeminiTranslator, { client: 'chat', provider: 'gemini', upstreamRoute: 'chat' });
  const out = chatToGeminiTranslator.request(ask(), 'gemini-2.5-flash', true);
  t.same(out, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
});

t.test('system and developer messages → systemInstruction parts; assistant → model turns; same-role turns merge; empty text dropped', async (t) => {
  const out = chatToGemini({ model: 'x', messages: [
    { role: 'system', content: 'be brief' },
    user('q1'),
    { role: 'developer', content: [{ type: 'text', text: 'rule' }] },
    user(''),
    user('q2'),
    { role: 'assistant', content: 'a1' },
    { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] },
    user('q3'),
  ] });
  t.same(out['systemInstruction'], { parts: [{ text: 'be brief' }, { text: 'rule' }] });
  t.same(out['contents'], [
    { role: 'user', parts: [{ text: 'q1' }, { text: 'q2' }] },
    { role: 'model', parts: [{ text: 'a1' }, { text: 'no' }] },
    { role: 'user', parts: [{ text: 'q3' }] },
  ]);
});

t.test('images: data URL → inlineData, http(s) and gs:// → fileData with the type from the extension; others refused naming the field', async (t) => {
  const out = chatToGemini({ model: 'x', messages: [user([
    { type: 'text', text: 'compare' },
    { type: 'image_url', image_url: { url: 'data:image/webp;base64,UklG' } },
    { type: 'image_url', image_url: { url: 'https://example.com/a.JPG?size=2' } },
    { type: 'image_url', image_url: 'gs://bucket/doc.pdf' },
  ])] });
  t.same(out['contents'], [{ role: 'user', parts: [
    { text: 'compare' },
    { inlineData: { mimeType: 'image/webp', data: 'UklG' } },
    { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.JPG?size=2' } },
    { fileData: { mimeType: 'application/pdf', fileUri: 'gs://bucket/doc.pdf' } },
  ] }]);
  const image = (url: unknown) => ({ model: 'x', messages: [user([{ type: 'image_url', image_url: { url } }])] });
  refuses(t, () => chatToGemini(image('https://example.com/image')), 'messages[0].content[0].image_url.url', /media type/);
  refuses(t, () => chatToGemini(image('file:///etc/passwd')), 'messages[0].content[0].image_url.url', /gs:\/\//);
  refuses(t, () => chatToGemini(image(undefined)), 'messages[0].content[0].image_url.url', /is required/);
  refuses(t, () => chatToGemini({ model: 'x', messages: [user([{ type: 'file', file: { file_id: 'f' } }])] }), 'messages[0].content[0].type', /Gemini/);
  refuses(t, () => chatToGemini({ model: 'x', messages: [user([null])] }), 'messages[0].content[0]');
  refuses(t, () => chatToGemini({ model: 'x', messages: [user({ text: 'x' })] }), 'messages[0].content');
});

t.test('tools → one functionDeclarations list with the schema untouched; tool_choice → toolConfig', async (t) => {
  const schema = { type: 'object', properties: { q: { type: 'string' } }, additionalProperties: false };
  const out = chatToGemini(ask({ tools: [
    { type: 'function', function: { name: 'search', description: 'Search', parameters: schema } },
    { type: 'function', function: { name: 'now' } },
  ], tool_choice: 'required' }));
  t.same(out['tools'], [{ functionDeclarations: [
    { name: 'search', description: 'Search', parametersJsonSchema: schema },
    { name: 'now', parametersJsonSchema: { type: 'object', properties: {} } },
  ] }]);
  const config = (tool_choice: unknown) => chatToGemini(ask({ tool_choice }))['toolConfig'];
  t.same(config('auto'), { functionCallingConfig: { mode: 'AUTO' } });
  t.same(config('required'), { functionCallingConfig: { mode: 'ANY' } });
  t.same(config('none'), { functionCallingConfig: { mode: 'NONE' } });
  t.same(config({ type: 'function', function: { name: 'search' } }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] } });
  t.equal(config(undefined), undefined);
  t.notOk('tools' in chatToGemini(ask({ tools: [] })), 'an empty tool list sends no tools');
  refuses(t, () => config('maybe'), 'tool_choice');
  refuses(t, () => chatToGemini(ask({ tools: [{ type: 'web_search' }] })), 'tools[0].type');
  refuses(t, () => chatToGemini(ask({ tools: 'search' })), 'tools', /must be an array/);
});

t.test('tool calls → functionCall parts (first of a turn signed); tool results → functionResponse with the name of the earlier call', async (t) => {
  const out = chatToGemini({ model: 'x', messages: [
    user('weather?'),
    { role: 'assistant', content: null, tool_calls: [
      { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b__thought__c2lnbmF0dXJl', type: 'function', function: { name: 'time', arguments: '' } },
    ] },
    { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
    { role: 'tool', tool_call_id: 'call_b__thought__c2lnbmF0dXJl', content: [{ type: 'text', text: '12:00' }] },
  ] });
  t.same(out['contents'], [
    { role: 'user', parts: [{ text: 'weather?' }] },
    { role: 'model', parts: [
      { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { name: 'time', args: {} }, thoughtSignature: 'c2lnbmF0dXJl' },
    ] },
    { role: 'user', parts: [
      { functionResponse: { name: 'weather', response: { output: 'sunny' } } },
      { functionResponse: { name: 'time', response: { output: '12:00' } } },
    ] },
  ], "a call without its own signature gets Google's stand-in only when first of its turn; a smuggled signature comes back");
  refuses(t, () => chatToGemini({ model: 'x', messages: [{ role: 'tool', tool_call_id: 'call_zzz', content: 'x' }] }), 'messages[0].tool_call_id', /function name/);
  refuses(t, () => chatToGemini({ model: 'x', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '"str"' } }] }] }), 'messages[0].tool_calls[0].function.arguments', /JSON object/);
  refuses(t, () => chatToGemini({ model: 'x', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{' } }] }] }), 'messages[0].tool_calls[0].function.arguments', /not valid JSON/);
});

t.test('generationConfig: max tokens, sampling, seed, penalties, stop (at most 5), JSON mode and JSON schema', async (t) => {
  const schema = { type: 'object', properties: { a: { type: 'number' } } };
  const out = chatToGemini(ask({ max_tokens: 10, max_completion_tokens: 20, temperature: 1.5, top_p: 0.5, seed: 3, presence_penalty: 0.2, frequency_penalty: 0, stop: 'END', response_format: { type: 'json_schema', json_schema: { name: 'n', schema } } }));
  t.same(out['generationConfig'], { maxOutputTokens: 20, temperature: 1.5, topP: 0.5, seed: 3, presencePenalty: 0.2, stopSequences: ['END'], responseMimeType: 'application/json', responseJsonSchema: schema });
  t.same(chatToGemini(ask({ max_tokens: 10, frequency_penalty: 0.4, stop: ['a', 'b'], response_format: { type: 'json_object' } }))['generationConfig'], { maxOutputTokens: 10, frequencyPenalty: 0.4, stopSequences: ['a', 'b'], responseMimeType: 'application/json' });
  t.notOk('generationConfig' in chatToGemini(ask({ response_format: { type: 'text' } })), 'nothing to configure, nothing sent (no max_tokens default: Gemini has its own)');
  refuses(t, () => chatToGemini(ask({ stop: ['1', '2', '3', '4', '5', '6'] })), 'stop', /at most 5/);
  refuses(t, () => chatToGemini(ask({ response_format: { type: 'json_schema', json_schema: { name: 'n' } } })), 'response_format.json_schema.schema');
});

t.test('what Gemini cannot express is a 400 naming the field', async (t) => {
  refuses(t, () => chatToGemini(ask({ n: 2 })), 'n', /one Gemini candidate/);
  refuses(t, () => chatToGemini(ask({ logprobs: true })), 'logprobs', /Gemini has no equivalent/);
  refuses(t, () => chatToGemini({ model: 'x', messages: [{ role: 'critic', content: 'x' }] }), 'messages[0].role', /Gemini/);
  refuses(t, () => chatToGemini({ model: 'x', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }] }), 'messages[0].content[0]', /only text/);
  refuses(t, () => chatToGemini({ model: 'x' }), 'messages');
  t.doesNotThrow(() => chatToGemini(ask({ n: 1, user: 'u', parallel_tool_calls: true, store: false })));
});

t.test('regression: parallel calls from another model carry the stand-in signature on the first call of the turn only', async (t) => {
  const call = (id: string) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } });
  const out = chatToGemini({ model: 'x', messages: [
    user('go'),
    { role: 'assistant', content: 'three at once', tool_calls: [call('c1'), call('c2'), call('c3')] },
    { role: 'assistant', content: null, tool_calls: [call('c4')] },
  ] });
  const parts = (out['contents'] as { parts: Record<string, unknown>[] }[])[1]?.parts ?? [];
  t.same(parts.map((p) => p['thoughtSignature'] ?? null), [null, 'skip_thought_signature_validator', null, null, null], 'text, then one signed call; the merged turn stays one turn with one signature');
});
