import t from 'tap';
import { AnthropicToChatStream } from '../../../proxy/translate/chat-anthropic/anthropic-chat-stream.js';
import { anthropicEvent as ev, runStream } from '../translation-assert.js';

/** An Anthropic Messages stream → Chat Completions chunks, event by event (WIRE.md §7 "Streaming, Anthropic → OpenAI"). */

const start = ev('message_start', { message: { id: 'msg_9', model: 'claude-x', content: [], usage: { input_tokens: 20, cache_read_input_tokens: 80, output_tokens: 1 } } });
const deltas = (out: { data: unknown }[]) => out.map((e) => e.data).filter((d): d is { choices: { delta: unknown; finish_reason: unknown }[] } => typeof d === 'object');

t.test('text: a role chunk, then content deltas, then finish, usage chunk and [DONE]; every chunk carries the message id and model', async (t) => {
  const out = runStream(new AnthropicToChatStream(), [
    start,
    ev('ping'),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'lo' } }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 12 } }),
    ev('message_stop'),
  ]);
  t.same(out.map((e) => (typeof e.data === 'object' ? (e.data as { choices: { delta?: unknown }[] }).choices[0]?.delta ?? 'usage' : e.data)), [
    { role: 'assistant', content: '', refusal: null }, { content: 'Hel' }, { content: 'lo' }, {}, 'usage', '[DONE]',
  ]);
  const chunks = deltas(out);
  for (const c of chunks) t.match(c, { id: 'msg_9', model: 'claude-x', object: 'chat.completion.chunk' });
  t.equal(chunks[3]?.choices[0]?.finish_reason, 'length', 'max_tokens → length');
  t.same((chunks[4] as unknown as { usage: unknown }).usage, {
    prompt_tokens: 100, completion_tokens: 12, total_tokens: 112,
    prompt_tokens_details: { cached_tokens: 80, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  }, 'input and cache counts from message_start, output from message_delta');
  t.equal(out.filter((e) => e.event !== undefined).length, 0, 'chat chunks have no event: names');
});

t.test('tool calls: a running tool index (not the block index), id and name first, then argument deltas', async (t) => {
  const out = runStream(new AnthropicToChatStream(), [
    start,
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: 'Sure.' } }),
    ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'weather', input: {} } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }),
    ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'time', input: {} } }),
    ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } }),
    ev('content_block_delta', { index: 7, delta: { type: 'input_json_delta', partial_json: '{"orphan":1}' } }),
    ev('content_block_start', { index: 3, content_block: { type: 'thinking', thinking: '' } }),
    ev('content_block_delta', { index: 3, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
    ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } }),
    ev('message_stop'),
  ]);
  const d = deltas(out).map((c) => c.choices[0]);
  t.same(d.slice(1, -2).map((c) => c?.delta), [
    { content: 'Sure.' },
    { tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '' } }] },
    { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
    { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
    { tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'time', arguments: '' } }] },
    { tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
  ], 'empty fragments, orphan deltas and thinking are not sent');
  t.equal(d[d.length - 2]?.finish_reason, 'tool_calls');
  t.equal(d[d.length - 1], undefined, 'then the usage chunk, with no choices');
});

t.test('a mid-stream error becomes data:{"error":…} in OpenAI vocabulary (the SDK raises it)', async (t) => {
  const error = (type: string) => runStream(new AnthropicToChatStream(), [start, ev('error', { error: { type, message: `${type} happened` } })])[1]?.data;
  t.same(error('overloaded_error'), { error: { message: 'overloaded_error happened', type: 'server_error', param: null, code: null } });
  t.match(error('rate_limit_error'), { error: { type: 'rate_limit_exceeded' } });
  for (const type of ['authentication_error', 'permission_error', 'invalid_request_error', 'not_found_error', 'request_too_large']) t.match(error(type), { error: { type: 'invalid_request_error' } }, type);
  t.match(error('api_error'), { error: { type: 'server_error' } });
  t.match(runStream(new AnthropicToChatStream(), [ev('error', {})])[0]?.data, { error: { message: 'The provider failed mid-stream.', type: 'server_error' } }, 'an error without details still reaches the client');
});

t.test('a stream cut before message_stop gets no terminal frame; junk is ignored', async (t) => {
  const out = runStream(new AnthropicToChatStream(), [start, { data: 'not json' }, { data: '{"no":"type"}' }, ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'x' } })]);
  t.equal(out.length, 2, 'role chunk and the text delta only');
  t.notOk(out.some((e) => e.data === '[DONE]'), 'no [DONE]: the gateway reports the stream truncated');
});
