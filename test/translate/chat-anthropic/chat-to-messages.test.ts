import t from 'tap';
import { chatToMessages } from '../../../proxy/translate/chat-anthropic/chat-to-messages.js';
import { DEFAULT_MAX_TOKENS } from '../../../proxy/translate/anthropic-request.js';
import { refuses } from '../translation-assert.js';

/** OpenAI chat request → Anthropic Messages request, field by field (WIRE.md §7). */

const user = (content: unknown) => ({ role: 'user', content });
const ask = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-x', messages: [user('hi')], ...extra });

t.test('system and developer messages anywhere are hoisted, in order, into system text blocks; empty ones vanish', async (t) => {
  const out = chatToMessages({ model: 'gpt-x', messages: [
    { role: 'system', content: 'be brief' },
    user('q1'),
    { role: 'developer', content: [{ type: 'text', text: 'rule A' }, { type: 'text', text: 'rule B' }] },
    { role: 'system', content: '' },
    user('q2'),
  ] }, 'claude-x', false);
  t.same(out['system'], [{ type: 'text', text: 'be brief' }, { type: 'text', text: 'rule A\nrule B' }]);
  t.same(out['messages'], [{ role: 'user', content: [{ type: 'text', text: 'q1' }, { type: 'text', text: 'q2' }] }], 'the two user turns around the hoisted system message merge');
  t.equal(out['model'], 'claude-x', 'the tier model, not the client model');
  t.notOk('system' in chatToMessages(ask(), 'm', false), 'no system field without system messages');
});

t.test('multi-turn conversation keeps roles and order; max_tokens: max_completion_tokens, then max_tokens, then the default Anthropic requires', async (t) => {
  const out = chatToMessages({ model: 'x', max_tokens: 50, messages: [user('a'), { role: 'assistant', content: 'b' }, user('c')] }, 'm', true);
  t.same(out['messages'], [
    { role: 'user', content: [{ type: 'text', text: 'a' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
    { role: 'user', content: [{ type: 'text', text: 'c' }] },
  ]);
  t.equal(out['max_tokens'], 50);
  t.equal(out['stream'], true);
  t.equal(chatToMessages(ask({ max_tokens: 50, max_completion_tokens: 70 }), 'm', false)['max_tokens'], 70);
  t.equal(chatToMessages(ask(), 'm', false)['max_tokens'], DEFAULT_MAX_TOKENS);
  t.equal(DEFAULT_MAX_TOKENS, 4096, "LiteLLM's default");
  t.notOk('stream' in chatToMessages(ask(), 'm', false));
});

t.test('sampling, stop sequences and user', async (t) => {
  const out = chatToMessages(ask({ temperature: 0.3, top_p: 0.9, stop: 'END', user: 'u-1', presence_penalty: 0, n: 1 }), 'm', false);
  t.equal(out['temperature'], 0.3);
  t.equal(out['top_p'], 0.9);
  t.same(out['stop_sequences'], ['END'], 'a single stop string becomes a list');
  t.same(out['metadata'], { user_id: 'u-1' });
  t.same(chatToMessages(ask({ stop: ['a', 'b'] }), 'm', false)['stop_sequences'], ['a', 'b']);
  t.notOk('stop_sequences' in chatToMessages(ask({ stop: [] }), 'm', false), 'an empty list sends nothing');
});

t.test('images: base64 data URLs → base64 source, PDF → document, http(s) → url source; what Anthropic cannot take is a 400 naming the field', async (t) => {
  const out = chatToMessages({ model: 'x', messages: [user([
    { type: 'text', text: 'what is this?' },
    { type: 'image_url', image_url: { url: 'data:image/PNG;base64,iVBORw0', detail: 'high' } },
    { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
    { type: 'image_url', image_url: 'data:application/pdf;base64,JVBERi0' },
    { type: 'text', text: '' },
  ])] }, 'm', false);
  t.same(out['messages'], [{ role: 'user', content: [
    { type: 'text', text: 'what is this?' },
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0' } },
  ] }], 'media types are lower-cased; the empty text part is dropped (Anthropic rejects it)');
  const image = (image_url: unknown) => ({ model: 'x', messages: [user([{ type: 'image_url', image_url }])] });
  refuses(t, () => chatToMessages(image({ url: 'data:image/bmp;base64,Qk0' }), 'm', false), 'messages[0].content[0].image_url.url', /JPEG, PNG, GIF, WebP and PDF/);
  refuses(t, () => chatToMessages(image({ url: 'ftp://example.com/a.png' }), 'm', false), 'messages[0].content[0].image_url.url');
  refuses(t, () => chatToMessages(image({ url: 'data:image/png,plain' }), 'm', false), 'messages[0].content[0].image_url.url', /cannot be translated/);
  refuses(t, () => chatToMessages(image({}), 'm', false), 'messages[0].content[0].image_url.url', /is required/);
  refuses(t, () => chatToMessages({ model: 'x', messages: [user([{ type: 'input_audio', input_audio: {} }])] }, 'm', false), 'messages[0].content[0].type', /input_audio/);
  refuses(t, () => chatToMessages({ model: 'x', messages: [user(['bare string part'])] }, 'm', false), 'messages[0].content[0]');
  refuses(t, () => chatToMessages({ model: 'x', messages: [user(42)] }, 'm', false), 'messages[0].content');
});

t.test('tool definitions: name, description and the schema pass untouched; a tool without parameters gets an empty object schema', async (t) => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false, $defs: { x: {} } };
  const out = chatToMessages(ask({ tools: [
    { type: 'function', function: { name: 'weather', description: 'Weather now', parameters: schema, strict: true } },
    { type: 'function', function: { name: 'noop' } },
  ] }), 'm', false);
  t.same(out['tools'], [
    { name: 'weather', description: 'Weather now', input_schema: schema },
    { name: 'noop', input_schema: { type: 'object', properties: {} } },
  ]);
  refuses(t, () => chatToMessages(ask({ tools: [{ type: 'custom', custom: { name: 'x' } }] }), 'm', false), 'tools[0].type');
  refuses(t, () => chatToMessages(ask({ tools: { type: 'function' } }), 'm', false), 'tools', /must be an array/);
});

t.test('tool_choice: auto/required/none/named, and parallel_tool_calls:false → disable_parallel_tool_use', async (t) => {
  const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) => chatToMessages(ask({ tool_choice, parallel_tool_calls }), 'm', false)['tool_choice'];
  t.same(choice('auto'), { type: 'auto' });
  t.same(choice('required'), { type: 'any' });
  t.same(choice('none'), { type: 'none' });
  t.same(choice({ type: 'function', function: { name: 'weather' } }), { type: 'tool', name: 'weather' });
  t.same(choice('required', false), { type: 'any', disable_parallel_tool_use: true });
  t.same(choice(undefined, false), { type: 'auto', disable_parallel_tool_use: true }, 'no choice given: auto without parallel calls');
  t.same(choice('none', false), { type: 'none' }, 'none takes no parallel flag');
  t.equal(choice(undefined, true), undefined, 'nothing asked, nothing sent');
  refuses(t, () => choice('sometimes'), 'tool_choice');
  refuses(t, () => choice({ type: 'function' }), 'tool_choice');
});

t.test('assistant tool calls → tool_use with parsed input; tool results → tool_result blocks merged into one user turn', async (t) => {
  const out = chatToMessages({ model: 'x', messages: [
    user('weather in Paris and Rome?'),
    { role: 'assistant', content: [{ type: 'text', text: 'Checking' }, { type: 'text', text: 'both.' }], tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } },
    ] },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'rain' }] },
    user('thanks'),
  ] }, 'm', false);
  t.same(out['messages'], [
    { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Rome?' }] },
    { role: 'assistant', content: [
      { type: 'text', text: 'Checking\nboth.' },
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'weather', input: {} },
    ] },
    { role: 'user', content: [
      { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
      { type: 'tool_result', tool_use_id: 'call_2', content: 'rain' },
      { type: 'text', text: 'thanks' },
    ] },
  ]);
  const empty = chatToMessages({ model: 'x', messages: [user('go'), { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }] }, 'm', false);
  t.same((empty['messages'] as { content: unknown[] }[])[1]?.content, [{ type: 'tool_use', id: 'c', name: 'f', input: {} }], 'empty assistant text beside tool calls is dropped');
  const calls = (args: string) => ({ model: 'x', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] }] });
  refuses(t, () => chatToMessages(calls('{bad'), 'm', false), 'messages[0].tool_calls[0].function.arguments', /not valid JSON/);
  refuses(t, () => chatToMessages(calls('[1,2]'), 'm', false), 'messages[0].tool_calls[0].function.arguments', /JSON object/);
  refuses(t, () => chatToMessages({ model: 'x', messages: [{ role: 'assistant', tool_calls: ['x'] }] }, 'm', false), 'messages[0].tool_calls[0]');
  refuses(t, () => chatToMessages({ model: 'x', messages: [{ role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }] }, 'm', false), 'messages[0].function_call', /tool_calls/);
  refuses(t, () => chatToMessages({ model: 'x', messages: [{ role: 'tool', tool_call_id: 'c', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, 'm', false), 'messages[0].content[0]');
});

t.test('what Anthropic cannot express is a 400 naming the field, never a silent drop; defaults pass', async (t) => {
  refuses(t, () => chatToMessages(ask({ n: 3 }), 'm', false), 'n', /one choice/);
  refuses(t, () => chatToMessages(ask({ presence_penalty: 0.5 }), 'm', false), 'presence_penalty');
  refuses(t, () => chatToMessages(ask({ frequency_penalty: -1 }), 'm', false), 'frequency_penalty');
  refuses(t, () => chatToMessages(ask({ temperature: 1.2 }), 'm', false), 'temperature', /0 to 1/);
  refuses(t, () => chatToMessages(ask({ response_format: { type: 'json_schema', json_schema: { name: 's', schema: {} } } }), 'm', false), 'response_format', /JSON mode/);
  refuses(t, () => chatToMessages(ask({ seed: 7 }), 'm', false), 'seed', /Anthropic has no equivalent/);
  refuses(t, () => chatToMessages(ask({ logit_bias: { 1: 2 } }), 'm', false), 'logit_bias');
  refuses(t, () => chatToMessages({ model: 'x', messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'm', false), 'messages[0].role', /function/);
  refuses(t, () => chatToMessages({ model: 'x', messages: ['hi'] }, 'm', false), 'messages[0]');
  refuses(t, () => chatToMessages({ model: 'x' }, 'm', false), 'messages', /is required/);
  const out = chatToMessages(ask({ n: null, logprobs: false, response_format: { type: 'text' }, stream_options: { include_usage: true }, store: false, service_tier: 'auto', metadata: { a: 'b' } }), 'm', false);
  t.notOk('response_format' in out || 'n' in out || 'logprobs' in out, 'defaults and gateway-only fields are not sent');
});
