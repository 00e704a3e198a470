import t from 'tap';
import { ChatToMessageStream } from '../../../proxy/translate/messages-openai/chat-message-stream.js';
import { dataEvent, runStream } from '../translation-assert.js';

/** A Chat Completions stream → Anthropic Messages stream, event by event (WIRE.md §7 "Streaming, OpenAI → Anthropic"). */

const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null, extra: Record<string, unknown> = {}) => dataEvent({ id: 'chatcmpl-7', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [{ index: 0, delta, finish_reason }], ...extra });
const usageChunk = (usage: unknown) => dataEvent({ id: 'chatcmpl-7', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [], usage });

t.test('text then two tool calls with argument deltas: blocks open and close in order, then message_delta (stop, usage) and message_stop', async (t) => {
  const out = runStream(new ChatToMessageStream(), [
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Let me ' }),
    chunk({ content: 'check.' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
    chunk({}, 'tool_calls'),
    usageChunk({ prompt_tokens: 50, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 30 } }),
    dataEvent('[DONE]'),
  ]);
  t.same(out.map((e) => [e.event, e.data]), [
    ['message_start', { type: 'message_start', message: { id: 'chatcmpl-7', type: 'message', role: 'assistant', model: 'gpt-4.1', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'check.' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_a', name: 'weather', input: {} } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Oslo"}' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 1 }],
    ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_b', name: 'now', input: {} } }],
    ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 2 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 30, output_tokens: 20 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
});

t.test('finish reasons; a refusal delta is text with stop_reason refusal; other choices are ignored', async (t) => {
  const stopOf = (finish: string) => runStream(new ChatToMessageStream(), [chunk({ content: 'x' }), chunk({}, finish), dataEvent('[DONE]')]).find((e) => e.event === 'message_delta')?.data;
  t.match(stopOf('stop'), { delta: { stop_reason: 'end_turn' } });
  t.match(stopOf('length'), { delta: { stop_reason: 'max_tokens' } });
  t.match(stopOf('content_filter'), { delta: { stop_reason: 'refusal' } });
  const refusal = runStream(new ChatToMessageStream(), [chunk({ refusal: 'No.' }), chunk({}, 'stop'), dataEvent({ choices: [{ index: 1, delta: { content: 'other choice' } }] }), dataEvent('[DONE]')]);
  t.match(refusal.find((e) => e.event === 'content_block_delta')?.data, { delta: { type: 'text_delta', text: 'No.' } });
  t.match(refusal.find((e) => e.event === 'message_delta')?.data, { delta: { stop_reason: 'refusal' } }, 'a later stop does not hide the refusal');
  t.notMatch(JSON.stringify(refusal), /other choice/);
});

t.test('the end: a stream without [DONE] that carried a finish reason still ends; one without gets no terminal events; [DONE] twice ends once', async (t) => {
  const noDone = runStream(new ChatToMessageStream(), [chunk({ content: 'x' }, 'stop')]);
  t.same(noDone.slice(-3).map((e) => e.event), ['content_block_stop', 'message_delta', 'message_stop']);
  const cut = runStream(new ChatToMessageStream(), [chunk({ content: 'x' })]);
  t.notOk(cut.some((e) => e.event === 'message_stop'), 'a truncated stream is not dressed up as finished');
  const twice = runStream(new ChatToMessageStream(), [chunk({ content: 'x' }, 'stop'), dataEvent('[DONE]'), dataEvent('[DONE]')]);
  t.equal(twice.filter((e) => e.event === 'message_stop').length, 1);
  t.same(runStream(new ChatToMessageStream(), [dataEvent('[DONE]')]), [], 'nothing started, nothing to end');
});

t.test('a mid-stream error becomes event: error in Anthropic vocabulary', async (t) => {
  const error = (e: Record<string, unknown>) => runStream(new ChatToMessageStream(), [dataEvent({ error: e })])[0];
  t.same(error({ message: 'slow down', type: 'tokens', code: 'rate_limit_exceeded' }), { event: 'error', data: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } });
  t.match(error({ message: 'x', type: 'rate_limit_exceeded' }), { data: { error: { type: 'rate_limit_error' } } });
  t.match(error({ message: 'x', type: 'requests' }), { data: { error: { type: 'rate_limit_error' } } });
  t.match(error({ message: 'x', type: 'server_error', code: 'rate_limit_exceeded' }), { data: { error: { type: 'rate_limit_error' } } });
  t.match(error({ message: 'x', type: 'invalid_request_error' }), { data: { error: { type: 'invalid_request_error' } } });
  t.match(error({ type: 'server_error' }), { data: { error: { type: 'api_error', message: 'The provider failed mid-stream.' } } });
  t.same(runStream(new ChatToMessageStream(), [dataEvent('junk')]), [], 'junk is ignored');
});
