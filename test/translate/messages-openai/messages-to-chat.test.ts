import t from 'tap';
import { messagesToChat } from '../../../proxy/translate/messages-openai/messages-to-chat.js';
import { refuses } from '../translation-assert.js';

/** Anthropic Messages request → OpenAI chat request, field by field (WIRE.md §7 read backwards). */

const ask = (extra: Record<string, unknown> = {}) => ({ model: 'claude-x', max_tokens: 300, messages: [{ role: 'user', content: 'hi' }], ...extra });

t.test('system → one leading system message; turns in order; max_tokens, sampling, stop, user, stream', async (t) => {
  const out = messagesToChat(ask({
    system: [{ type: 'text', text: 'rule 1' }, { type: 'text', text: 'rule 2' }],
    messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a' }, { role: 'user', content: [{ type: 'text', text: 'q2' }] }],
    temperature: 0.4, top_p: 0.7, stop_sequences: ['END', 'STOP'], metadata: { user_id: 'u-9' },
  }), 'gpt-4.1', true);
  t.same(out, {
    model: 'gpt-4.1',
    messages: [
      { role: 'system', content: 'rule 1\nrule 2' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: [{ type: 'text', text: 'q2' }] },
    ],
    max_tokens: 300, stream: true, temperature: 0.4, top_p: 0.7, stop: ['END', 'STOP'], user: 'u-9',
  });
  t.equal(messagesToChat(ask(), 'o3-mini', false)['max_completion_tokens'], 300, 'reasoning models take max_completion_tokens');
  t.notOk('max_tokens' in messagesToChat(ask(), 'o3-mini', false));
  t.notOk('stop' in messagesToChat(ask({ stop_sequences: [] }), 'gpt-4.1', false));
  t.same(messagesToChat(ask({ system: '' }), 'm', false)['messages'], [{ role: 'user', content: 'hi' }], 'an empty system prompt sends no system message');
});

t.test('images: base64 → data URL, url → url; tool_result blocks become tool messages placed before the rest of the turn', async (t) => {
  const out = messagesToChat(ask({ messages: [
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'shot', input: {} }] },
    { role: 'user', content: [
      { type: 'text', text: 'here:' },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }, { type: 'text', text: 'done' }] },
      { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
    ] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2' }] },
  ] }), 'm', false);
  t.same((out['messages'] as unknown[]).slice(1), [
    { role: 'tool', tool_call_id: 'toolu_1', content: 'ok\ndone' },
    { role: 'user', content: [
      { type: 'text', text: 'here:' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
      { type: 'image_url', image_url: { url: 'https://example.com/x.png' } },
    ] },
    { role: 'tool', tool_call_id: 'toolu_2', content: '' },
  ], 'a turn of only tool results is only tool messages');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }), 'm', false), 'messages[0].content[0].source');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'x' } }] }] }), 'm', false), 'messages[0].content[0].type', /document/);
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'image', source: {} }] }] }] }), 'm', false), 'messages[0].content[0].content[0]', /only text/);
});

t.test('assistant: text joined, tool_use → tool_calls (input serialised), thinking not resent, content null with only calls', async (t) => {
  const out = messagesToChat(ask({ messages: [{ role: 'assistant', content: [
    { type: 'thinking', thinking: 'private', signature: 's' },
    { type: 'text', text: 'Let me ' },
    { type: 'text', text: 'look.' },
    { type: 'tool_use', id: 'toolu_1', name: 'search', input: { q: 'x' } },
    { type: 'tool_use', id: 'toolu_2', name: 'now' },
  ] }, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_3', name: 'now', input: {} }] }] }), 'm', false);
  t.same((out['messages'] as unknown[]), [
    { role: 'assistant', content: 'Let me look.', tool_calls: [
      { id: 'toolu_1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } },
      { id: 'toolu_2', type: 'function', function: { name: 'now', arguments: '{}' } },
    ] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_3', type: 'function', function: { name: 'now', arguments: '{}' } }] },
  ]);
  t.notMatch(JSON.stringify(out), /private/);
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 'x' }] }] }), 'm', false), 'messages[0].content[0].type');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'assistant', content: [1] }] }), 'm', false), 'messages[0].content[0]');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'assistant', content: 1 }] }), 'm', false), 'messages[0].content');
});

t.test('tools → function tools; tool_choice auto/any/none/tool and disable_parallel_tool_use → parallel_tool_calls:false', async (t) => {
  const schema = { type: 'object', properties: { q: { type: 'string' } } };
  t.same(messagesToChat(ask({ tools: [{ name: 'search', description: 'Search it', input_schema: schema }, { type: 'custom', name: 'now', input_schema: {} }] }), 'm', false)['tools'], [
    { type: 'function', function: { name: 'search', parameters: schema, description: 'Search it' } },
    { type: 'function', function: { name: 'now', parameters: {} } },
  ]);
  const choice = (tool_choice: unknown) => {
    const out = messagesToChat(ask({ tool_choice }), 'm', false);
    return [out['tool_choice'], out['parallel_tool_calls']];
  };
  t.same(choice({ type: 'auto' }), ['auto', undefined]);
  t.same(choice({ type: 'any', disable_parallel_tool_use: true }), ['required', false]);
  t.same(choice({ type: 'none' }), ['none', undefined]);
  t.same(choice({ type: 'tool', name: 'search' }), [{ type: 'function', function: { name: 'search' } }, undefined]);
  t.same(choice(null), [undefined, undefined]);
  refuses(t, () => choice({ type: 'tool' }), 'tool_choice.type');
  refuses(t, () => choice('any'), 'tool_choice');
  refuses(t, () => messagesToChat(ask({ tools: [{ type: 'bash_20250124', name: 'bash' }] }), 'm', false), 'tools[0]', /server tools/);
  refuses(t, () => messagesToChat(ask({ tools: 'x' }), 'm', false), 'tools');
});

t.test('what OpenAI chat cannot express is a 400 naming the field', async (t) => {
  refuses(t, () => messagesToChat(ask({ thinking: { type: 'enabled', budget_tokens: 2000 } }), 'm', false), 'thinking', /extended thinking/);
  t.doesNotThrow(() => messagesToChat(ask({ thinking: { type: 'disabled' } }), 'm', false));
  refuses(t, () => messagesToChat(ask({ top_k: 5 }), 'm', false), 'top_k', /OpenAI chat has no equivalent/);
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'system', content: 'x' }] }), 'm', false), 'messages[0].role');
  refuses(t, () => messagesToChat(ask({ messages: ['x'] }), 'm', false), 'messages[0]');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'user', content: [{ type: 'audio' }] }] }), 'm', false), 'messages[0].content[0].type');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'user', content: [null] }] }), 'm', false), 'messages[0].content[0]');
  refuses(t, () => messagesToChat(ask({ messages: [{ role: 'user', content: {} }] }), 'm', false), 'messages[0].content');
  refuses(t, () => messagesToChat(ask({ system: 5 }), 'm', false), 'system');
  refuses(t, () => messagesToChat({ model: 'x', max_tokens: 1 }, 'm', false), 'messages');
});
