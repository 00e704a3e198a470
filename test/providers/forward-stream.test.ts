import t from 'tap';
import { request } from 'undici';
import { SseParser } from '../../proxy/providers/sse.js';
import type { SseEvent, SseTransform } from '../../proxy/providers/sse-types.js';
import { startFakeSetup, type FakeSetup, type Teardown, type HarnessOptions } from './forward-harness.js';

function setup(t: Teardown, extra: Partial<HarnessOptions> = {}): Promise<FakeSetup> {
  return startFakeSetup(t, ['spare'], extra);
}

/** Opens a streaming request and returns an event reader over the raw response body. */
async function open(url: string, body: unknown): Promise<{ status: number; headers: Record<string, unknown>; next(): Promise<SseEvent | undefined>; all(): Promise<SseEvent[]>; raw: AsyncIterator<Buffer>; destroy(): void }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wj_x' }, body: JSON.stringify(body) });
  const parser = new SseParser();
  const queue: SseEvent[] = [];
  const raw = (res.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const next = async (): Promise<SseEvent | undefined> => {
    while (queue.length === 0) {
      const { value, done } = await raw.next();
      if (done) {
        queue.push(...parser.end());
        return queue.shift();
      }
      queue.push(...parser.push(value));
    }
    return queue.shift();
  };
  const all = async (): Promise<SseEvent[]> => {
    const out: SseEvent[] = [];
    for (let e = await next(); e; e = await next()) out.push(e);
    return out;
  };
  return { status: res.statusCode, headers: res.headers, next, all, raw, destroy: () => res.body.destroy() };
}

const chatBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }], ...extra });

t.test('chat stream: usage forced upstream, stripped for the client, [DONE] held for the runner', async (t) => {
  const { fake, harness } = await setup(t);
  fake.enqueue({ usage: { input: 30, output: 20 } });
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  t.equal(s.status, 200);
  t.match(String(s.headers['content-type']), /^text\/event-stream/);
  t.equal(s.headers['cache-control'], 'no-cache');
  t.equal(s.headers['x-workjet-request-id'], 'req_h0');
  t.equal(s.headers['x-upstream-request-id'], 'req_fake_1');
  const events = await s.all();
  t.equal(events.at(-1)?.data, '[DONE]');
  t.notOk(events.some((e) => e.data.includes('"usage":{')), 'no usage chunk for a client that did not ask');
  t.same((fake.requests[0]?.body as Record<string, unknown>)['stream_options'], { include_usage: true });
  const text = events.slice(0, -1).map((e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
  t.equal(text, 'Hello from the fake provider, streaming word by word.');
  const ctx = await harness.done(0);
  t.same(ctx.usage, { inputTokens: 30, outputTokens: 20 });
  t.equal(ctx.heldTail, 'data: [DONE]\n\n');
  t.notOk(ctx.error);
});

t.test('chat stream with include_usage: the usage chunk reaches the client', async (t) => {
  const { harness } = await setup(t);
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody({ stream_options: { include_usage: true } }));
  const events = await s.all();
  const usageChunk = JSON.parse(events.at(-2)?.data ?? '{}') as Record<string, unknown>;
  t.same(usageChunk['choices'], []);
  t.match(usageChunk['usage'], { prompt_tokens: 11, completion_tokens: 9 });
});

t.test('anthropic and responses streams: terminal frames held, usage captured', async (t) => {
  const { harness } = await setup(t);
  const m = await open(`${harness.url}/v1/messages`, { model: 'smart', stream: true, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
  const mEvents = await m.all();
  t.same(mEvents.map((e) => e.event).slice(0, 3), ['message_start', 'content_block_start', 'ping']);
  t.equal(mEvents.at(-1)?.event, 'message_stop');
  const mctx = await harness.done(0);
  t.match(mctx.heldTail, /^event: message_stop\ndata: /);
  t.same(mctx.usage, { inputTokens: 11, outputTokens: 9 });
  const r = await open(`${harness.url}/v1/responses`, { model: 'fast', stream: true, input: 'hi' });
  const rEvents = await r.all();
  t.equal(rEvents.at(-1)?.event, 'response.completed');
  const rctx = await harness.done(1);
  t.match(rctx.heldTail, /^event: response.completed\n/);
  t.same(rctx.usage, { inputTokens: 11, outputTokens: 9 });
});

t.test('the first chunk reaches the client while the provider holds the stream', async (t) => {
  const { fake, harness } = await setup(t);
  const release = fake.holdStream();
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  const first = await Promise.race([s.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000))]);
  t.not(first, 'timeout', 'first event arrived before the provider finished');
  t.match((first as SseEvent).data, /"role":"assistant"/);
  t.equal(fake.requests[0]?.finished, false, 'the provider is still holding');
  release();
  const rest = await s.all();
  t.equal(rest.at(-1)?.data, '[DONE]');
});

t.test('client disconnect mid-stream aborts the upstream request within 1 s', async (t) => {
  const { fake, harness } = await setup(t);
  fake.holdStream();
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  await s.next();
  const upstream = await fake.waitForRequest();
  const before = Date.now();
  s.destroy();
  const abortedAt = await fake.waitForAbort(upstream, 3000);
  t.ok(abortedAt - before < 1000, `aborted after ${abortedAt - before} ms`);
  const ctx = await harness.done(0);
  t.equal(ctx.clientDisconnected, true);
  t.ok(ctx.usage?.estimated, 'usage so far is kept, flagged estimated');
});

t.test('provider dying mid-stream: in-stream error in the client format, no fallback', async (t) => {
  const { fake, backup, harness } = await setup(t);
  fake.enqueue({ dieMidStream: true });
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  const events = await s.all();
  const last = JSON.parse(events.at(-1)?.data ?? '{}') as { error?: { code: string; type: string } };
  t.match(last.error, { code: 'upstream_error', type: 'server_error' });
  t.equal(backup.requests.length, 0, 'no fallback once bytes reached the client');
  const ctx = await harness.done(0);
  t.equal(ctx.error?.code, 'upstream_error');
  t.equal(ctx.heldTail, undefined);

  fake.enqueue({ dieMidStream: true });
  const m = await open(`${harness.url}/v1/messages`, { model: 'smart', stream: true, max_tokens: 5, messages: [] });
  const mEvents = await m.all();
  t.equal(mEvents.at(-1)?.event, 'error');
  t.match(JSON.parse(mEvents.at(-1)?.data ?? '{}'), { type: 'error', error: { type: 'api_error' } });

  fake.enqueue({ dieMidStream: true });
  const r = await open(`${harness.url}/v1/responses`, { model: 'fast', stream: true, input: 'hi' });
  const rEvents = await r.all();
  t.equal(rEvents.at(-1)?.event, 'error');
  t.match(JSON.parse(rEvents.at(-1)?.data ?? '{}'), { type: 'error', code: 'upstream_error', error: { code: 'upstream_error', type: 'server_error' } });
});

t.test('an idle upstream mid-stream ends in an upstream_timeout error event', async (t) => {
  const { fake, harness } = await setup(t, { timeouts: { idleTimeoutMs: 300 } });
  fake.enqueue({ stallMidStream: true });
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  const events = await s.all();
  t.match(JSON.parse(events.at(-1)?.data ?? '{}'), { error: { code: 'upstream_timeout' } });
});

t.test('a failure before the first event falls back (error event first, or a 503)', async (t) => {
  const { fake, backup, harness } = await setup(t);
  fake.enqueue({ errorEventFirst: true });
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  const events = await s.all();
  t.equal(events.at(-1)?.data, '[DONE]');
  t.equal(backup.requests.length, 1);
  t.match((await harness.done(0)).upstream, { provider: 'backup', attempts: 2 });
  fake.enqueue({ status: 503 });
  const s2 = await open(`${harness.url}/v1/chat/completions`, chatBody());
  t.equal(s2.status, 200);
  t.equal((await s2.all()).at(-1)?.data, '[DONE]');
  t.equal(backup.requests.length, 2);
});

t.test('the response filter runs after usage capture; content captured', async (t) => {
  const upper = (): SseTransform => ({
    onEvent: (e) => [{ ...e, data: e.data.replaceAll('fake', 'FAKE') }],
    onEnd: () => [],
  });
  const { harness } = await setup(t, { forward: { captureContent: true, responseFilter: { streamTransform: upper, filterBody: (_ctx, body) => body } } });
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  const text = (await s.all()).filter((e) => e.data !== '[DONE]').map((e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
  t.equal(text, 'Hello from the FAKE provider, streaming word by word.');
  const ctx = await harness.done(0);
  t.equal(ctx.capturedContent?.completion, text);
  t.same(ctx.usage, { inputTokens: 11, outputTokens: 9 });
});

t.test('backpressure: a client that stops reading stops the upstream read', async (t) => {
  const { fake, harness } = await setup(t);
  const word = 'x'.repeat(4000);
  fake.enqueue({ text: Array.from({ length: 12_000 }, () => word).join(' ') }); // ~48 MB of events
  const s = await open(`${harness.url}/v1/chat/completions`, chatBody());
  await s.next();
  await new Promise((r) => setTimeout(r, 1500));
  const upstream = fake.requests[0];
  t.equal(upstream?.finished, false, 'the provider could not finish writing while the client was not reading');
  let count = 1;
  for (let e = await s.next(); e; e = await s.next()) count++;
  t.ok(count > 12_000, `all ${count} events arrived once the client read`);
  t.equal(upstream?.finished, true);
});
