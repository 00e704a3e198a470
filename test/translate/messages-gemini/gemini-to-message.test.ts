import t from 'tap';
import { geminiToMessage, GeminiToMessageStream } from '../../../proxy/translate/messages-gemini/gemini-to-message.js';
import { dataEvent, runStream } from '../translation-assert.js';

/** Gemini answers and streams → Anthropic Messages (WIRE-GEMINI.md §6, Anthropic column). */

const answer = (parts: unknown[], finishReason?: string, extra: Record<string, unknown> = {}) => ({
  candidates: [{ content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}) }], responseId: 'r7', modelVersion: 'gemini-2.5-pro', ...extra,
});

t.test('a complete answer: text and tool_use blocks, stop reason, usage with cache reads apart', async (t) => {
  const out = geminiToMessage(answer([{ text: 'On it. ' }, { functionCall: { name: 'weather', args: { city: 'Rome' } }, thoughtSignature: 'sig' }], 'STOP', {
    usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 10, thoughtsTokenCount: 5 },
  }));
  t.match(out, { id: 'msg_r7', type: 'message', role: 'assistant', model: 'gemini-2.5-pro', stop_reason: 'tool_use', stop_sequence: null });
  const content = out['content'] as { type: string; id?: string }[];
  t.same(content[0], { type: 'text', text: 'On it. ' });
  t.match(content[1], { type: 'tool_use', name: 'weather', input: { city: 'Rome' } });
  t.match(content[1]?.id, /^toolu_.+__thought__sig$/, 'the thought signature rides in the id for the next turn');
  t.same(out['usage'], { input_tokens: 60, cache_creation_input_tokens: 0, cache_read_input_tokens: 40, output_tokens: 15 });
});

t.test('every finish reason maps to a stop_reason', async (t) => {
  const cases: [string | undefined, string][] = [['STOP', 'end_turn'], ['MAX_TOKENS', 'max_tokens'], ['SAFETY', 'refusal'], ['RECITATION', 'refusal'], ['PROHIBITED_CONTENT', 'refusal'], ['OTHER', 'end_turn'], [undefined, 'end_turn']];
  for (const [finish, expected] of cases) t.equal(geminiToMessage(answer([{ text: 'x' }], finish))['stop_reason'], expected, `${String(finish)} → ${expected}`);
  t.match(geminiToMessage({ promptFeedback: { blockReason: 'OTHER' } }), { stop_reason: 'refusal', content: [], model: '' }, 'a blocked prompt is a refusal');
});

t.test('stream: message_start, one text block, each call a tool_use block with its input in one delta, then message_delta and message_stop', async (t) => {
  const out = runStream(new GeminiToMessageStream(), [
    dataEvent(answer([{ text: 'Hel' }])),
    dataEvent(answer([{ text: 'lo' }])),
    dataEvent(answer([{ functionCall: { name: 'f', args: { a: 1 } } }, { functionCall: { name: 'g', args: {} } }])),
    dataEvent(answer([{ text: 'done' }], 'MAX_TOKENS', { usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 4 } })),
    dataEvent('garbage'),
  ]);
  t.same(out.map((e) => e.event), [
    'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta',
    'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_stop', 'content_block_start', 'content_block_delta', 'content_block_stop',
    'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
  ]);
  for (const e of out) t.equal((e.data as { type: string }).type, e.event, 'data carries the same type as the event line');
  t.match(out[0]?.data, { message: { id: 'msg_r7', model: 'gemini-2.5-pro', role: 'assistant', content: [], stop_reason: null, usage: { input_tokens: 0, output_tokens: 0 } } });
  t.match(out.slice(1, 5).map((e) => e.data), [{ index: 0, content_block: { type: 'text', text: '' } }, { index: 0, delta: { text: 'Hel' } }, { index: 0, delta: { text: 'lo' } }, { index: 0 }]);
  t.match(out[5]?.data, { index: 1, content_block: { type: 'tool_use', name: 'f', input: {} } });
  t.same((out[6]?.data as { delta: unknown }).delta, { type: 'input_json_delta', partial_json: '{"a":1}' });
  t.match(out[8]?.data, { index: 2, content_block: { name: 'g' } });
  t.match(out[11]?.data, { index: 3, content_block: { type: 'text' } }, 'text after a call opens a new block');
  t.same((out[14]?.data as { delta: unknown; usage: unknown }), { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 4 } });
});

t.test('stream: tool calls finish as tool_use; no finish, no terminal events; mid-stream errors in Anthropic vocabulary', async (t) => {
  const tools = runStream(new GeminiToMessageStream(), [dataEvent(answer([{ functionCall: { name: 'f', args: {} } }], 'STOP'))]);
  t.match(tools[tools.length - 2]?.data, { delta: { stop_reason: 'tool_use' } });
  const cut = runStream(new GeminiToMessageStream(), [dataEvent(answer([{ text: 'x' }]))]);
  t.notOk(cut.some((e) => e.event === 'message_stop'), 'a truncated stream is not dressed up as finished');
  const error = (status: string) => runStream(new GeminiToMessageStream(), [dataEvent({ error: { code: 1, message: 'nope', status } })])[0];
  t.same(error('RESOURCE_EXHAUSTED'), { event: 'error', data: { type: 'error', error: { type: 'rate_limit_error', message: 'nope' } } });
  t.match(error('UNAVAILABLE'), { data: { error: { type: 'overloaded_error' } } });
  t.match(error('INVALID_ARGUMENT'), { data: { error: { type: 'invalid_request_error' } } });
  t.match(error('FAILED_PRECONDITION'), { data: { error: { type: 'invalid_request_error' } } });
  t.match(error('INTERNAL'), { data: { error: { type: 'api_error' } } });
});
