import t from 'tap';
import { messageToChat } from '../../../proxy/translate/chat-anthropic/anthropic-to-chat.js';

/** A complete Anthropic Message → `chat.completion`, field by field (WIRE.md §7). */

const message = (fields: Record<string, unknown>) => ({ id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 5 }, ...fields });

t.test('text blocks join into content; thinking is never shown; id, model, object, created', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const out = messageToChat(message({ content: [{ type: 'thinking', thinking: 'secret plan', signature: 's' }, { type: 'text', text: 'Hello, ' }, { type: 'text', text: 'world' }] }));
  t.match(out, { id: 'msg_01', object: 'chat.completion', model: 'claude-x' });
  t.ok((out['created'] as number) >= before, 'created is now, in seconds');
  t.same(out['choices'], [{ index: 0, message: { role: 'assistant', content: 'Hello, world', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }]);
  t.notMatch(JSON.stringify(out), /secret plan/);
});

t.test('tool_use blocks → tool_calls with the input serialised; content null when only tools were called', async (t) => {
  const out = messageToChat(message({ stop_reason: 'tool_use', content: [
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
    { type: 'tool_use', id: 'toolu_2', name: 'time' },
  ] }));
  const choice = (out['choices'] as Record<string, unknown>[])[0];
  t.same(choice?.['message'], { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: [
    { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
    { id: 'toolu_2', type: 'function', function: { name: 'time', arguments: '{}' } },
  ] });
  t.equal(choice?.['finish_reason'], 'tool_calls');
  const both = messageToChat(message({ content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 't', name: 'f', input: {} }] }));
  t.match(both, { choices: [{ message: { content: 'Let me check.', tool_calls: [{ id: 't' }] } }] }, 'text beside tool calls is kept');
  t.match(messageToChat(message({ content: [] })), { choices: [{ message: { content: '' } }] }, 'an empty answer is an empty string, not null');
});

t.test('every stop_reason maps to a finish_reason the OpenAI SDKs know', async (t) => {
  const cases: [unknown, string][] = [
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['pause_turn', 'stop'], ['max_tokens', 'length'], ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'], ['refusal', 'content_filter'], [null, 'stop'], ['something_new', 'stop'],
  ];
  for (const [stop, finish] of cases) t.match(messageToChat(message({ stop_reason: stop })), { choices: [{ finish_reason: finish }] }, `${String(stop)} → ${finish}`);
});

t.test('usage: prompt tokens include cache reads and writes, cached tokens are the reads', async (t) => {
  const out = messageToChat(message({ usage: { input_tokens: 100, cache_read_input_tokens: 400, cache_creation_input_tokens: 50, output_tokens: 30 } }));
  t.same(out['usage'], {
    prompt_tokens: 550, completion_tokens: 30, total_tokens: 580,
    prompt_tokens_details: { cached_tokens: 400, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  });
  t.match(messageToChat(message({ usage: { input_tokens: null, output_tokens: -1 } })), { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }, 'null and negative counts are 0');
  t.match(messageToChat(message({ usage: undefined })), { usage: { total_tokens: 0 } });
});
