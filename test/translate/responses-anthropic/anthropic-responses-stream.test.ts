import t from 'tap';
import { AnthropicToResponsesStream } from '../../../proxy/translate/responses-anthropic/anthropic-responses-stream.js';
import { anthropicEvent as ev, runStream } from '../translation-assert.js';

/** An Anthropic Messages stream → Responses stream events, in WIRE.md §4 order. */

const start = ev('message_start', { message: { id: 'msg_abc', model: 'claude-x', usage: { input_tokens: 5, cache_read_input_tokens: 15, output_tokens: 1 } } });

t.test('text and a tool call: created, in_progress, item/part added, deltas, the .done events, then completed with output and usage', async (t) => {
  const out = runStream(new AnthropicToResponsesStream(), [
    start,
    ev('ping'),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: '!' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_9', name: 'f', input: {} } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'wrong kind' } }),
    ev('content_block_stop', { index: 1 }),
    ev('content_block_start', { index: 2, content_block: { type: 'thinking', thinking: '' } }),
    ev('content_block_stop', { index: 2 }),
    ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 8 } }),
    ev('message_stop'),
  ]);
  t.same(out.map((e) => e.event), [
    'response.created', 'response.in_progress',
    'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.delta',
    'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
    'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
    'response.function_call_arguments.done', 'response.output_item.done',
    'response.completed',
  ]);
  const data = out.map((e) => e.data as Record<string, unknown>);
  t.same(data.map((d) => d['sequence_number']), data.map((_, i) => i), 'sequence numbers count up from 0');
  t.match(data[0], { type: 'response.created', response: { id: 'resp_msg_abc', model: 'claude-x', status: 'in_progress', output: [] } });
  t.match(data[2], { output_index: 0, item: { type: 'message', id: 'msg_abc_0', status: 'in_progress', content: [] } });
  t.match(data[4], { item_id: 'msg_abc_0', output_index: 0, content_index: 0, delta: 'Hi' });
  t.match(data[6], { text: 'Hi!' });
  t.match(data[9], { output_index: 1, item: { type: 'function_call', id: 'fc_toolu_9', call_id: 'toolu_9', name: 'f', arguments: '', status: 'in_progress' } });
  t.match(data[10], { item_id: 'fc_toolu_9', output_index: 1, delta: '{"a":' });
  t.match(data[12], { arguments: '{"a":1}' });
  t.match(data[14], { response: {
    status: 'completed', incomplete_details: null,
    output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hi!' }] }, { type: 'function_call', arguments: '{"a":1}', status: 'completed' }],
    usage: { input_tokens: 20, input_tokens_details: { cached_tokens: 15 }, output_tokens: 8, total_tokens: 28 },
  } });
});

t.test('a call with no argument deltas completes with {}; max_tokens ends as response.incomplete', async (t) => {
  const out = runStream(new AnthropicToResponsesStream(), [
    start,
    ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 't', name: 'g', input: {} } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_stop', { index: 5 }),
    ev('message_delta', { delta: { stop_reason: 'max_tokens' } }),
    ev('message_stop'),
  ]);
  t.match(out.find((e) => e.event === 'response.function_call_arguments.done')?.data, { arguments: '{}' });
  t.match(out[out.length - 1], { event: 'response.incomplete', data: { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } } });
});

t.test('a mid-stream error is an error event the OpenAI SDK raises; junk is ignored', async (t) => {
  const out = runStream(new AnthropicToResponsesStream(), [start, { data: 'nope' }, ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })]);
  t.same(out[2], { event: 'error', data: { type: 'error', sequence_number: 2, code: 'overloaded_error', message: 'Overloaded', param: null, error: { type: 'server_error', code: null, message: 'Overloaded', param: null } } });
  t.match(runStream(new AnthropicToResponsesStream(), [ev('error', {})])[0], { data: { code: 'api_error', message: 'The provider failed mid-stream.' } });
});
