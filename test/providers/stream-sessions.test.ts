import t from 'tap';
import { openAiAdapter } from '../../proxy/providers/openai/openai-adapter.js';
import { anthropicAdapter } from '../../proxy/providers/anthropic/anthropic-adapter.js';
import type { StreamSession } from '../../proxy/providers/provider-adapter.js';
import type { SseEvent } from '../../proxy/providers/sse-types.js';
import { chatStreamData, responsesStreamEvents } from '../fake-provider/openai-fixtures.js';
import { messageStreamEvents } from '../fake-provider/anthropic-fixtures.js';

function run(session: StreamSession, events: SseEvent[]): SseEvent[] {
  const out: SseEvent[] = [];
  for (const e of events) out.push(...session.transform.onEvent(e));
  out.push(...session.transform.onEnd());
  return out;
}

const usage = { input: 21, output: 13, cached: 5 };

t.test('chat: forced usage chunk is captured and stripped when the client did not ask', async (t) => {
  const events = chatStreamData('m', { usage }, true).map((data) => ({ data }));
  const session = openAiAdapter.openStream('chat', { clientWantsUsage: false });
  const out = run(session, events);
  t.equal(out.length, events.length - 1, 'exactly one chunk removed');
  t.notOk(out.some((e) => e.data.includes('"usage":{')), 'no usage object reaches the client');
  t.same(session.usage(), { inputTokens: 21, outputTokens: 13, cachedInputTokens: 5 });
  t.equal(out.at(-1)?.data, '[DONE]');
  t.ok(session.isTerminal(out.at(-1) as SseEvent));
  t.notOk(session.isTerminal(out[0] as SseEvent));
});

t.test('chat: the usage chunk is kept when the client asked for it', async (t) => {
  const events = chatStreamData('m', { usage }, true).map((data) => ({ data }));
  const session = openAiAdapter.openStream('chat', { clientWantsUsage: true });
  const out = run(session, events);
  t.same(out, events, 'stream passes unchanged');
  t.equal(session.usage()?.outputTokens, 13);
});

t.test('chat: usage riding on a content chunk is removed from it, the chunk kept', async (t) => {
  const chunk = { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'x' }, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 2 } };
  const session = openAiAdapter.openStream('chat', { clientWantsUsage: false });
  const out = run(session, [{ data: JSON.stringify(chunk) }, { data: '[DONE]' }]);
  t.equal(out.length, 2);
  const first = JSON.parse(out[0]?.data as string) as Record<string, unknown>;
  t.notOk('usage' in first);
  t.same(first['choices'], chunk.choices);
  t.same(session.usage(), { inputTokens: 4, outputTokens: 2 });
});

t.test('chat: interrupted stream gives an estimate; error events detected', async (t) => {
  const events = chatStreamData('m', {}, true).slice(0, 4).map((data) => ({ data }));
  const session = openAiAdapter.openStream('chat', { clientWantsUsage: false });
  run(session, events);
  const u = session.usage();
  t.equal(u?.estimated, true);
  t.ok((u?.outputTokens ?? 0) > 0);
  t.ok(session.isError({ data: '{"error":{"message":"boom","type":"server_error"}}' }));
  t.notOk(session.isError({ data: '{"choices":[{"delta":{"content":"\\"error\\""}}]}' }));
  t.equal(openAiAdapter.eventText('chat', events[2] as SseEvent).length > 0, true);
});

t.test('responses: usage from response.completed, terminal with or without event names', async (t) => {
  const events = responsesStreamEvents('m', { usage }).map(([event, data]) => ({ event, data }));
  const session = openAiAdapter.openStream('responses', { clientWantsUsage: false });
  const out = run(session, events);
  t.same(out, events);
  t.same(session.usage(), { inputTokens: 21, outputTokens: 13, cachedInputTokens: 5 });
  const completed = events.at(-1) as SseEvent;
  t.ok(session.isTerminal(completed));
  t.ok(session.isTerminal({ data: completed.data }), 'detected from the payload type alone');
  t.ok(session.isTerminal({ data: '[DONE]' }));
  t.notOk(session.isTerminal(events[0] as SseEvent));
  t.ok(session.isError({ event: 'error', data: '{"type":"error","message":"x"}' }));
  const delta = events.find((e) => e.event === 'response.output_text.delta') as SseEvent;
  t.equal(openAiAdapter.eventText('responses', delta), 'Hello');
});

t.test('anthropic: usage from message_start + message_delta (cache counts are input)', async (t) => {
  const events = messageStreamEvents('m', { usage }).map(([event, data]) => ({ event, data }));
  const session = anthropicAdapter.openStream('messages', { clientWantsUsage: false });
  const out = run(session, events);
  t.same(out, events);
  t.same(session.usage(), { inputTokens: 26, outputTokens: 13, cachedInputTokens: 5 });
  t.ok(session.isTerminal(events.at(-1) as SseEvent));
  t.notOk(session.isTerminal(events.at(-2) as SseEvent), 'message_delta is not terminal');
  t.ok(session.isError({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"x"}}' }));
  const delta = events.find((e) => e.event === 'content_block_delta') as SseEvent;
  t.equal(anthropicAdapter.eventText('messages', delta), 'Hello');
});

t.test('anthropic: an interrupted stream reports the input and an estimated output', async (t) => {
  const events = messageStreamEvents('m', { usage }).slice(0, 6).map(([event, data]) => ({ event, data }));
  const session = anthropicAdapter.openStream('messages', { clientWantsUsage: false });
  run(session, events);
  const u = session.usage();
  t.equal(u?.estimated, true);
  t.equal(u?.inputTokens, 26);
  t.ok((u?.outputTokens ?? 0) >= 1);
});
