import t from 'tap';
import { responsesToMessages } from '../../../proxy/translate/responses-anthropic/responses-to-messages.js';
import { refuses } from '../translation-assert.js';

/** OpenAI Responses request → Anthropic Messages request, field by field (WIRE.md §4, §7). */

const ask = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-x', input: 'hi', ...extra });

t.test('string input is one user turn; instructions → system; max_output_tokens or the default Anthropic requires', async (t) => {
  t.same(responsesToMessages(ask({ instructions: 'be brief', max_output_tokens: 99, temperature: 0.5, top_p: 0.9, user: 'u-1' }), 'claude-x', true), {
    model: 'claude-x', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 99,
    system: [{ type: 'text', text: 'be brief' }], stream: true, temperature: 0.5, top_p: 0.9, metadata: { user_id: 'u-1' },
  });
  t.equal(responsesToMessages(ask(), 'm', false)['max_tokens'], 4096);
  t.notOk('system' in responsesToMessages(ask({ instructions: '' }), 'm', false));
});

t.test('message items: system/developer join system after instructions; user/assistant turns merge by role; empty text dropped', async (t) => {
  const out = responsesToMessages(ask({ instructions: 'first', input: [
    { role: 'developer', content: 'second' },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q1' }, { type: 'input_text', text: '' }] },
    { role: 'user', content: 'q1b' },
    { role: 'assistant', content: [{ type: 'output_text', text: 'a1' }] },
    { role: 'system', content: [{ type: 'input_text', text: 'third' }] },
    { role: 'user', content: 'q2' },
    { type: 'reasoning', id: 'rs_1', summary: [] },
  ] }), 'm', false);
  t.same(out['system'], [{ type: 'text', text: 'first' }, { type: 'text', text: 'second' }, { type: 'text', text: 'third' }]);
  t.same(out['messages'], [
    { role: 'user', content: [{ type: 'text', text: 'q1' }, { type: 'text', text: 'q1b' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'a1' }] },
    { role: 'user', content: [{ type: 'text', text: 'q2' }] },
  ], 'reasoning items are not resent');
});

t.test('input_image: base64 data URL → image, PDF → document, http(s) → url; the rest is a 400 naming the field', async (t) => {
  const out = responsesToMessages(ask({ input: [{ role: 'user', content: [
    { type: 'input_image', image_url: 'data:image/gif;base64,R0lG', detail: 'auto' },
    { type: 'input_image', image_url: 'https://example.com/a.png' },
    { type: 'input_image', image_url: 'data:application/pdf;base64,JVBE' },
  ] }] }), 'm', false);
  t.same(out['messages'], [{ role: 'user', content: [
    { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lG' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } },
  ] }]);
  const image = (part: Record<string, unknown>) => ask({ input: [{ role: 'user', content: [{ type: 'input_image', ...part }] }] });
  refuses(t, () => responsesToMessages(image({ image_url: 'data:image/tiff;base64,SUkq' }), 'm', false), 'input[0].content[0].image_url', /JPEG, PNG, GIF, WebP and PDF/);
  refuses(t, () => responsesToMessages(image({ image_url: 'ftp://example.com/a.png' }), 'm', false), 'input[0].content[0].image_url');
  refuses(t, () => responsesToMessages(image({ file_id: 'file-1' }), 'm', false), 'input[0].content[0].image_url', /file ids/);
  refuses(t, () => responsesToMessages(ask({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }), 'm', false), 'input[0].content[0].type', /input_file/);
  refuses(t, () => responsesToMessages(ask({ input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x/a.png' }] }] }), 'm', false), 'input[0].content', /only text/);
});

t.test('function_call → tool_use (arguments parsed); function_call_output → tool_result in a user turn right after', async (t) => {
  const out = responsesToMessages(ask({ input: [
    { role: 'user', content: 'weather?' },
    { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Kyiv"}' },
    { type: 'function_call', call_id: 'call_2', name: 'now', arguments: '' },
    { type: 'function_call_output', call_id: 'call_1', output: 'cold' },
    { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '09:00' }] },
  ] }), 'm', false);
  t.same(out['messages'], [
    { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Kyiv' } }, { type: 'tool_use', id: 'call_2', name: 'now', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'cold' }, { type: 'tool_result', tool_use_id: 'call_2', content: '09:00' }] },
  ]);
  refuses(t, () => responsesToMessages(ask({ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '[]' }] }), 'm', false), 'input[0].arguments', /JSON object/);
  refuses(t, () => responsesToMessages(ask({ input: [{ type: 'web_search_call', id: 'ws' }] }), 'm', false), 'input[0].type', /web_search_call/);
});

t.test('flat function tools → Anthropic tools; tool_choice and parallel_tool_calls', async (t) => {
  const schema = { type: 'object', properties: { city: { type: 'string' } } };
  t.same(responsesToMessages(ask({ tools: [{ type: 'function', name: 'weather', description: 'Weather', parameters: schema, strict: true }, { type: 'function', name: 'now', parameters: null }] }), 'm', false)['tools'], [
    { name: 'weather', input_schema: schema, description: 'Weather' },
    { name: 'now', input_schema: { type: 'object', properties: {} } },
  ]);
  const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) => responsesToMessages(ask({ tool_choice, parallel_tool_calls }), 'm', false)['tool_choice'];
  t.same(choice('auto'), { type: 'auto' });
  t.same(choice('required'), { type: 'any' });
  t.same(choice('none'), { type: 'none' });
  t.same(choice({ type: 'function', name: 'weather' }), { type: 'tool', name: 'weather' });
  t.same(choice('auto', false), { type: 'auto', disable_parallel_tool_use: true });
  refuses(t, () => choice({ type: 'file_search' }), 'tool_choice');
  refuses(t, () => responsesToMessages(ask({ tools: [{ type: 'web_search' }] }), 'm', false), 'tools[0].type', /built-in/);
  refuses(t, () => responsesToMessages(ask({ tools: {} }), 'm', false), 'tools');
});

t.test('what Anthropic cannot express is a 400 naming the field', async (t) => {
  refuses(t, () => responsesToMessages(ask({ previous_response_id: 'resp_1' }), 'm', false), 'previous_response_id', /whole input/);
  refuses(t, () => responsesToMessages(ask({ text: { format: { type: 'json_schema', name: 'x', schema: {} } } }), 'm', false), 'text.format', /JSON mode/);
  refuses(t, () => responsesToMessages(ask({ include: ['reasoning.encrypted_content'] }), 'm', false), 'include');
  refuses(t, () => responsesToMessages(ask({ temperature: 2 }), 'm', false), 'temperature');
  refuses(t, () => responsesToMessages(ask({ reasoning: { effort: 'high' } }), 'm', false), 'reasoning', /Anthropic has no equivalent/);
  refuses(t, () => responsesToMessages(ask({ input: [{ role: 'tool', content: 'x' }] }), 'm', false), 'input[0].role');
  refuses(t, () => responsesToMessages(ask({ input: [7] }), 'm', false), 'input[0]');
  refuses(t, () => responsesToMessages(ask({ input: [{ role: 'user', content: 7 }] }), 'm', false), 'input[0].content');
  refuses(t, () => responsesToMessages(ask({ input: [{ role: 'user', content: [null] }] }), 'm', false), 'input[0].content[0]');
  refuses(t, () => responsesToMessages(ask({ input: 7 }), 'm', false), 'input');
  t.doesNotThrow(() => responsesToMessages(ask({ text: { format: { type: 'text' } }, include: [], store: false, truncation: 'disabled' }), 'm', false));
});
