import t from 'tap';
import { messagesToGemini } from '../../../proxy/translate/messages-gemini/messages-to-gemini.js';
import { messagesToGeminiTranslator } from '../../../proxy/translate/messages-gemini/index.js';
import { refuses } from '../translation-assert.js';

/** Anthropic Messages request → Gemini `generateContent` body, field by field (WIRE-GEMINI.md §6). */

const ask = (extra: Record<string, unknown> = {}) => ({ model: 'claude-x', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }], ...extra });

t.test('the pair: model and stream stay out of the body; max_tokens → maxOutputTokens', async (t) => {
  t.match(messagesToGeminiTranslator, { client: 'messages', provider: 'gemini', upstreamRoute: 'messages' });
  t.same(messagesToGeminiTranslator.request(ask(), 'gemini-2.5-pro', true), { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 256 } });
});

t.test('system (string or text blocks) → systemInstruction; turns → user/model; sampling, top_k, stop sequences, thinking budget', async (t) => {
  const out = messagesToGemini(ask({
    system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'be kind' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'q1' }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 's' }, { type: 'redacted_thinking', data: 'x' }, { type: 'text', text: 'a1' }] },
      { role: 'user', content: 'q2' },
    ],
    temperature: 0.2, top_p: 0.8, top_k: 40, stop_sequences: ['END'], thinking: { type: 'enabled', budget_tokens: 1024 },
  }));
  t.same(out['systemInstruction'], { parts: [{ text: 'be brief\nbe kind' }] });
  t.same(out['contents'], [{ role: 'user', parts: [{ text: 'q1' }] }, { role: 'model', parts: [{ text: 'a1' }] }, { role: 'user', parts: [{ text: 'q2' }] }], 'earlier thinking is not resent');
  t.same(out['generationConfig'], { maxOutputTokens: 256, temperature: 0.2, topP: 0.8, topK: 40, stopSequences: ['END'], thinkingConfig: { thinkingBudget: 1024 } });
  t.notOk('systemInstruction' in messagesToGemini(ask({ system: '' })), 'an empty system prompt sends nothing (Gemini rejects empty parts)');
  t.notOk('thinkingConfig' in (messagesToGemini(ask({ thinking: { type: 'disabled' } }))['generationConfig'] as object));
});

t.test('images and documents: base64 → inlineData, url → fileData; other sources are a 400 naming the field', async (t) => {
  const out = messagesToGemini(ask({ messages: [{ role: 'user', content: [
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.gif' } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
    { type: 'text', text: 'describe' },
  ] }] }));
  t.same(out['contents'], [{ role: 'user', parts: [
    { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
    { fileData: { mimeType: 'image/gif', fileUri: 'https://example.com/cat.gif' } },
    { inlineData: { mimeType: 'application/pdf', data: 'JVBER' } },
    { text: 'describe' },
  ] }]);
  const image = (source: unknown) => ask({ messages: [{ role: 'user', content: [{ type: 'image', source }] }] });
  refuses(t, () => messagesToGemini(image({ type: 'file', file_id: 'f' })), 'messages[0].content[0].source', /base64 and url/);
  refuses(t, () => messagesToGemini(image({ type: 'url', url: 'https://example.com/picture' })), 'messages[0].content[0].source.url', /media type/);
  refuses(t, () => messagesToGemini(image({ type: 'base64', media_type: 'image/png;x=1', data: 'AA' })), 'messages[0].content[0].source');
});

t.test('tools → functionDeclarations (input_schema untouched); tool_choice → toolConfig', async (t) => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const out = messagesToGemini(ask({ tools: [{ name: 'weather', description: 'Weather', input_schema: schema, cache_control: { type: 'ephemeral' } }, { type: 'custom', name: 'now', input_schema: { type: 'object' } }] }));
  t.same(out['tools'], [{ functionDeclarations: [{ name: 'weather', description: 'Weather', parametersJsonSchema: schema }, { name: 'now', parametersJsonSchema: { type: 'object' } }] }]);
  const config = (tool_choice: unknown) => messagesToGemini(ask({ tool_choice }))['toolConfig'];
  t.same(config({ type: 'auto' }), { functionCallingConfig: { mode: 'AUTO' } });
  t.same(config({ type: 'any' }), { functionCallingConfig: { mode: 'ANY' } });
  t.same(config({ type: 'none' }), { functionCallingConfig: { mode: 'NONE' } });
  t.same(config({ type: 'tool', name: 'weather', disable_parallel_tool_use: true }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } });
  t.equal(config(undefined), undefined);
  refuses(t, () => config({ type: 'tool' }), 'tool_choice.type');
  refuses(t, () => config('auto'), 'tool_choice', /must be an object/);
  refuses(t, () => messagesToGemini(ask({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] })), 'tools[0]', /server tools/);
  refuses(t, () => messagesToGemini(ask({ tools: { name: 'x' } })), 'tools', /must be an array/);
});

t.test('tool_use → functionCall; tool_result → functionResponse named after the earlier call, is_error under error', async (t) => {
  const out = messagesToGemini(ask({ messages: [
    { role: 'user', content: 'weather and time?' },
    { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }, { type: 'tool_use', id: 'toolu_2', name: 'time', input: {} }] },
    { role: 'user', content: [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'snow' }] },
      { type: 'tool_result', tool_use_id: 'toolu_2', content: 'clock broken', is_error: true },
      { type: 'text', text: 'and?' },
    ] },
  ] }));
  t.same(out['contents'], [
    { role: 'user', parts: [{ text: 'weather and time?' }] },
    { role: 'model', parts: [
      { text: 'Checking.' },
      { functionCall: { name: 'weather', args: { city: 'Oslo' } }, thoughtSignature: 'skip_thought_signature_validator' },
      { functionCall: { name: 'time', args: {} } },
    ] },
    { role: 'user', parts: [
      { functionResponse: { name: 'weather', response: { output: 'snow' } } },
      { functionResponse: { name: 'time', response: { error: 'clock broken' } } },
      { text: 'and?' },
    ] },
  ], 'only the first call of a turn carries a signature (Gemini parallel-call rule)');
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'x' }] }] })), 'messages[0].content[0].tool_use_id', /function name/);
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }] }] })), 'messages[0].content[0].type', /tool_use/);
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'x' }] }] })), 'messages[0].content[0].type');
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'user', content: [{ type: 'thinking', thinking: 'x' }] }] })), 'messages[0].content[0].type');
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'image', source: {} }] }] }] })), 'messages[1].content[0].content[0]', /only text/);
});

t.test('what Gemini cannot express is a 400 naming the field', async (t) => {
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'system', content: 'x' }] })), 'messages[0].role');
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'user', content: 7 }] })), 'messages[0].content');
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'user', content: ['x'] }] })), 'messages[0].content[0]');
  refuses(t, () => messagesToGemini(ask({ messages: [{ role: 'user', content: [{ type: 'search_result' }] }] })), 'messages[0].content[0].type', /Gemini/);
  refuses(t, () => messagesToGemini(ask({ stop_sequences: ['1', '2', '3', '4', '5', '6'] })), 'stop_sequences', /at most 5/);
  refuses(t, () => messagesToGemini(ask({ container: 'c' })), 'container', /Gemini has no equivalent/);
  refuses(t, () => messagesToGemini(ask({ system: [{ type: 'image' }] })), 'system[0]');
  refuses(t, () => messagesToGemini({ model: 'x', max_tokens: 1 }), 'messages');
});
