import t from 'tap';
import OpenAI from 'openai';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { limitsGatewayConfig } from '../limits/gateway-fixtures.js';

const provider = await startFakeProvider();
t.teardown(() => provider.close());

function post(baseURL: string, key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hello' }], ...body }),
  });
}

async function metric(origin: string, line: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found === undefined ? NaN : Number(found.slice(line.length + 1));
}

t.test('past overload.maxInFlightRequests: new requests get 503 overloaded with retry-after at once, admitted streams complete', async (t) => {
  const { raw, key } = limitsGatewayConfig(provider, {}, { overload: { maxInFlightRequests: 3, maxEventLoopDelayMs: 0 } });
  const gw = await startGateway(t, raw);
  // Three slow streams fill the cap (each ~3 s: 10 words, 300 ms apart).
  for (let i = 0; i < 3; i++) provider.enqueue({ chunkDelayMs: 300 });
  const admitted = Array.from({ length: 3 }, () => post(gw.baseURL, key, { stream: true }).then(async (r) => ({ status: r.status, body: await r.text(), doneAt: Date.now() })));
  const deadline = Date.now() + 5000;
  while ((await metric(gw.origin, 'workjet_inflight_requests')) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(await metric(gw.origin, 'workjet_inflight_requests'), 3, '/metrics shows three in flight (probes are not counted)');

  const started = Date.now();
  const refused = await Promise.all(Array.from({ length: 5 }, () => post(gw.baseURL, key, {}).then(async (r) => ({ status: r.status, headers: r.headers, body: await r.text() }))));
  const refusedAt = Date.now();
  const refusedMs = refusedAt - started;
  t.ok(refused.every((r) => r.status === 503), `all five refused: ${refused.map((r) => r.status).join(',')}`);
  t.ok(refused.every((r) => r.headers.get('retry-after') === '1'), 'with retry-after: 1');
  t.match(JSON.parse(refused[0]?.body ?? '{}'), { error: { code: 'overloaded', type: 'server_error' } }, 'in the OpenAI error shape');
  const done = await Promise.all(admitted);
  t.ok(done.every((r) => r.doneAt > refusedAt), `refused in ${refusedMs} ms, before any admitted stream ended`);
  t.same(done.map((r) => r.status), [200, 200, 200], 'the admitted streams completed');
  t.ok(done.every((r) => r.body.includes('data: [DONE]')), 'to their end');
  t.equal(await metric(gw.origin, 'workjet_overload_rejected_total{reason="in_flight"}'), 5, '/metrics counts the refusals by reason');
  t.equal(await metric(gw.origin, 'workjet_inflight_requests'), 0);

  // Below the cap again: the SDK is served (its own retries would have got there too).
  const client = new OpenAI({ apiKey: key, baseURL: gw.baseURL, maxRetries: 0 });
  const answer = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.ok(answer.choices[0]?.message.content, 'served once load is gone');
});

t.test('the Anthropic route gets the overload error in its own shape', async (t) => {
  const { raw, key } = limitsGatewayConfig(provider, {}, { overload: { maxInFlightRequests: 1, maxEventLoopDelayMs: 0 } });
  const gw = await startGateway(t, raw);
  provider.enqueue({ chunkDelayMs: 50 });
  const first = post(gw.baseURL, key, { stream: true }).then((r) => r.text());
  for (const end = Date.now() + 5000; (await metric(gw.origin, 'workjet_inflight_requests')) < 1 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  const res = await fetch(`${gw.baseURL}/messages`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: '{}' });
  t.equal(res.status, 503);
  t.match(await res.json(), { type: 'error', error: { type: 'overloaded_error', code: 'overloaded' } });
  await first;
});

t.test('past overload.maxEventLoopDelayMs: refused while the event loop is blocked, admitted again once it recovers', async (t) => {
  const { raw, key } = limitsGatewayConfig(provider, {}, { overload: { maxEventLoopDelayMs: 30, sampleIntervalMs: 100 } });
  const gw = await startGateway(t, raw);
  // Block this process's event loop (the gateway runs in it) in 60 ms slices until the answer is in (at most 10 s).
  const until = Date.now() + 10_000;
  let answered = false;
  const blocking = (async () => {
    while (!answered && Date.now() < until) {
      const sliceEnd = Date.now() + 60;
      while (Date.now() < sliceEnd) {
        // busy: the loop cannot turn
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  const res = await post(gw.baseURL, key, {});
  answered = true;
  t.equal(res.status, 503, 'refused while the loop lags');
  t.match(await res.json(), { error: { code: 'overloaded' } });
  await blocking;
  t.ok((await metric(gw.origin, 'workjet_overload_rejected_total{reason="event_loop_delay"}')) >= 1, 'counted by reason in /metrics');
  // A shared CI machine may lag on its own: allow a few seconds for the loop to settle.
  let status = 0;
  for (const end = Date.now() + 5000; Date.now() < end && status !== 200; ) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await post(gw.baseURL, key, {})).status;
  }
  t.equal(status, 200, 'served again once the delay is gone');
  t.ok((await metric(gw.origin, 'workjet_event_loop_delay_seconds')) < 0.03, 'the delay gauge is back under the cap');
});
