import t from 'tap';
import { geminiToChat, GeminiToChatStream } from '../../../proxy/translate/chat-gemini/gemini-to-chat.js';
import { dataEvent, runStream } from '../translation-assert.js';

/** Gemini answers and streams → Chat Completions (WIRE-GEMINI.md §6 "finish (out)", "usage (out)"). */

const answer = (parts: unknown[], finishReason?: string, extra: Record<string, unknown> = {}) => ({
  candidates: [{ index: 0, content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}) }],
  responseId: 'r1', modelVersion: 'gemini-2.5-flash', ...extra,
});
const usageMetadata = { promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 20, thoughtsTokenCount: 7, toolUsePromptTokenCount: 3, totalTokenCount: 130 };

t.test('text answer: content, id, model, usage with cached and reasoning tokens; thought summaries are not answer text', async (t) => {
  const out = geminiToChat(answer([{ text: 'thinking…', thought: true }, { text: 'Hello ' }, { text: 'there' }], 'STOP', { usageMetadata }));
  t.match(out, { id: 'chatcmpl-r1', object: 'chat.completion', model: 'gemini-2.5-flash' });
  t.same(out['choices'], [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }]);
  t.same(out['usage'], {
    prompt_tokens: 103, completion_tokens: 27, total_tokens: 130,
    prompt_tokens_details: { cached_tokens: 60, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 7, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  }, 'prompt includes tool-use prompt tokens; completion includes thinking');
});

t.test('function calls → tool_calls with fresh call ids carrying the thought signature; finish tool_calls', async (t) => {
  const out = geminiToChat(answer([{ functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'sig1' }, { functionCall: { name: 'time' } }], 'STOP'));
  const message = (out['choices'] as { message: { content: unknown; tool_calls: { id: string; function: unknown; type: string }[] }; finish_reason: string }[])[0];
  t.equal(message?.message.content, null, 'only calls: content is null');
  t.same(message?.message.tool_calls.map((c) => c.function), [{ name: 'weather', arguments: '{"city":"Paris"}' }, { name: 'time', arguments: '{}' }]);
  t.match(message?.message.tool_calls[0]?.id, /^call_.+__thought__sig1$/, 'the signature rides in the id');
  t.match(message?.message.tool_calls[1]?.id, /^call_[0-9a-z]+$/);
  t.notOk(message?.message.tool_calls.some((c) => 'index' in c), 'no index on a complete answer');
  t.equal(message?.finish_reason, 'tool_calls');
});

t.test('every finish reason maps to an OpenAI finish_reason; a blocked prompt is content_filter with null content', async (t) => {
  const cases: [string | undefined, string][] = [
    ['STOP', 'stop'], ['MAX_TOKENS', 'length'], ['SAFETY', 'content_filter'], ['RECITATION', 'content_filter'], ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'], ['SPII', 'content_filter'], ['IMAGE_SAFETY', 'content_filter'], ['IMAGE_PROHIBITED_CONTENT', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'stop'], ['OTHER', 'stop'], ['FINISH_REASON_UNSPECIFIED', 'stop'], [undefined, 'stop'],
  ];
  for (const [finish, expected] of cases) t.match(geminiToChat(answer([{ text: 'x' }], finish)), { choices: [{ finish_reason: expected }] }, `${String(finish)} → ${expected}`);
  t.match(geminiToChat(answer([], 'MAX_TOKENS')), { choices: [{ message: { content: '' }, finish_reason: 'length' }] }, 'thinking that ate the budget surfaces as length, not an empty stop');
  const blocked = geminiToChat({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 4 } });
  t.match(blocked, { choices: [{ message: { content: null }, finish_reason: 'content_filter' }], usage: { prompt_tokens: 4 } });
  t.match(blocked['id'], /^chatcmpl-/, 'an id even without responseId');
  t.equal(blocked['model'], '');
  t.match(geminiToChat({ candidates: [{ index: 1, content: { parts: [{ text: 'second' }] } }, { content: { parts: [{ text: 'first' }] } }] }), { choices: [{ message: { content: 'first' } }] }, 'the first candidate is the answer');
});

t.test('stream: role chunk, text deltas, whole tool calls at a cumulative index, then finish, last usage, [DONE]', async (t) => {
  const out = runStream(new GeminiToChatStream(), [
    dataEvent(answer([{ text: 'Hi' }], undefined, { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 } })),
    dataEvent(answer([{ functionCall: { name: 'a', args: { x: 1 } } }])),
    dataEvent(answer([{ functionCall: { name: 'b', args: {} } }, { functionCall: { name: 'c', args: {} } }], 'STOP', { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 9 } })),
    dataEvent('not json'),
  ]);
  const chunks = out.map((e) => e.data as { id: string; model: string; choices: { delta: { tool_calls?: { index: number; function: unknown }[] }; finish_reason: unknown }[]; usage: unknown });
  t.same(chunks[0]?.choices[0]?.delta, { role: 'assistant', content: '', refusal: null });
  t.same(chunks[1]?.choices[0]?.delta, { content: 'Hi' });
  t.same(chunks.slice(2, 4).flatMap((c) => c.choices[0]?.delta.tool_calls?.map((call) => [call.index, call.function]) ?? []), [[0, { name: 'a', arguments: '{"x":1}' }], [1, { name: 'b', arguments: '{}' }], [2, { name: 'c', arguments: '{}' }]]);
  t.equal(chunks[4]?.choices[0]?.finish_reason, 'tool_calls');
  t.match(chunks[5], { choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 } }, "Gemini's counts are cumulative: the last one wins");
  t.equal(out[6]?.data, '[DONE]');
  for (const c of chunks.slice(0, 6)) t.match(c, { id: 'chatcmpl-r1', model: 'gemini-2.5-flash' });
});

t.test('stream: no finish reason, no terminal frame; a mid-stream error is data:{"error":…}', async (t) => {
  const cut = runStream(new GeminiToChatStream(), [dataEvent(answer([{ text: 'Hi' }]))]);
  t.notOk(cut.some((e) => e.data === '[DONE]'), 'a truncated stream is not dressed up as finished');
  const failed = runStream(new GeminiToChatStream(), [dataEvent({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })]);
  t.same(failed, [{ data: { error: { message: 'The model is overloaded.', type: 'server_error', param: null, code: null } } }]);
  t.match(runStream(new GeminiToChatStream(), [dataEvent({ error: {} })]), [{ data: { error: { message: 'The provider failed mid-stream.' } } }]);
});
