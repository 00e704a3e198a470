import t from 'tap';
import { messageToResponse } from '../../../proxy/translate/responses-anthropic/message-to-response.js';

/** A complete Anthropic Message → Responses `response` object, field by field (WIRE.md §4). */

const message = (fields: Record<string, unknown>) => ({ id: 'msg_5', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 4 }, ...fields });

t.test('text → one message item first, tool_use → function_call items; the frame the SDK types require', async (t) => {
  const out = messageToResponse(message({ content: [
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Lagos' } },
    { type: 'thinking', thinking: 'secret' },
    { type: 'text', text: 'Hi ' },
    { type: 'text', text: 'there' },
  ] }));
  t.match(out, { id: 'resp_msg_5', object: 'response', model: 'claude-x', status: 'completed', incomplete_details: null, error: null, tool_choice: 'auto', parallel_tool_calls: true, text: { format: { type: 'text' } } });
  t.same(out['output'], [
    { type: 'message', id: 'msg_msg_5', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there', annotations: [] }] },
    { type: 'function_call', id: 'fc_toolu_1', call_id: 'toolu_1', name: 'weather', arguments: '{"city":"Lagos"}', status: 'completed' },
  ]);
  t.notMatch(JSON.stringify(out), /secret/);
  t.same(messageToResponse(message({ content: [] }))['output'], [], 'no text, no message item');
});

t.test('stop reasons: max_tokens and context overflow are incomplete (max_output_tokens), refusal is incomplete (content_filter)', async (t) => {
  const cases: [string, string, unknown][] = [
    ['end_turn', 'completed', null], ['stop_sequence', 'completed', null], ['tool_use', 'completed', null], ['pause_turn', 'completed', null],
    ['max_tokens', 'incomplete', { reason: 'max_output_tokens' }], ['model_context_window_exceeded', 'incomplete', { reason: 'max_output_tokens' }], ['refusal', 'incomplete', { reason: 'content_filter' }],
  ];
  for (const [stop, status, details] of cases) t.match(messageToResponse(message({ stop_reason: stop })), { status, incomplete_details: details }, `${stop} → ${status}`);
});

t.test('usage: input includes cache reads and writes, cached tokens are the reads', async (t) => {
  t.same(messageToResponse(message({ usage: { input_tokens: 10, cache_read_input_tokens: 70, cache_creation_input_tokens: 20, output_tokens: 5 } }))['usage'], {
    input_tokens: 100, input_tokens_details: { cached_tokens: 70 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 105,
  });
});
