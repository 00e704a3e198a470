import t from 'tap';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { startE2e } from './e2e-setup.js';

t.test('streaming through the real gateway', async (t) => {
  const { gw, fake, key } = await startE2e(t);
  // The SDK clients get their own connection pool, destroyed first at teardown (teardowns run
  // last-in first-out): after an aborted stream the client may hold a fresh, never-used socket,
  // which the gateway's graceful close would otherwise wait on until Node's headersTimeout.
  const dispatcher = new Agent();
  t.teardown(() => dispatcher.destroy());
  const fetchOptions = { dispatcher } as unknown as NonNullable<ConstructorParameters<typeof OpenAI>[0]>['fetchOptions'];

  t.test('the first chunk reaches the client while the provider holds the stream', async (t) => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0, fetchOptions });
    const release = fake.holdStream();
    const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await Promise.race([iterator.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))]);
    t.not(first, 'timeout', 'first chunk arrived');
    const upstream = fake.requests.at(-1);
    t.equal(upstream?.finished, false, 'while the provider was still holding the stream');
    release();
    let text = '';
    for (let n = await iterator.next(); !n.done; n = await iterator.next()) text += n.value.choices[0]?.delta.content ?? '';
    t.match(text, /word by word\.$/);
  });

  t.test('a client disconnect aborts the upstream request within 1 s', async (t) => {
    const controller = new AbortController();
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0, fetchOptions });
    fake.holdStream();
    const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const upstream = fake.requests.at(-1);
    if (!upstream) throw new Error('no upstream request');
    const before = Date.now();
    controller.abort();
    const abortedAt = await fake.waitForAbort(upstream, 5000);
    t.ok(abortedAt - before < 1000, `upstream aborted ${abortedAt - before} ms after the client left`);
  });

  t.test('the gateway stays healthy after the disconnect', async (t) => {
    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0, fetchOptions });
    const res = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    t.ok(res.choices[0]?.message.content);
  });
});
