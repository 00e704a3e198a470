import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';
import { messagesFormat } from '../../proxy/client-apis/messages/messages-format.js';
import type { PromptPart } from '../../proxy/client-apis/prompt-parts.js';

/** `{"a":{"a":…"s"…}}` nested `depth` deep, as JSON text (built without recursion). */
function nestedText(depth: number, leaf = '"s"'): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

/** The same nesting as a value, built iteratively (JSON.parse of it is what the gateway would do). */
function nestedValue(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 's' };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

function toolUseBody(input: string): string {
  return (
    '{"model":"claude","max_tokens":16,"messages":[{"role":"user","content":"hi"},' +
    '{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":' +
    input +
    '}]},{"role":"user","content":"go on"}]}'
  );
}

t.test('issue15-1 dlp-walker-deep-tool-input: a 40,000-deep tool_use.input does not freeze the gateway', async (t) => {
  t.test('the walker is linear in depth (unit)', async (t) => {
    const body = { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'f', input: nestedValue(40_000) }] }] };
    const started = performance.now();
    const parts: PromptPart[] = [];
    messagesFormat.promptParts(body, parts);
    const ms = performance.now() - started;
    t.equal(parts.length, 1, 'the one leaf is found');
    t.equal(parts[0]?.path.length, 5 + 40_000, 'with its full path (messages, 0, content, 0, input, a × 40,000)');
    t.ok(ms < 1000, `walked in ${ms.toFixed(0)} ms (quadratic: many seconds)`);
  });

  t.test('over HTTP, with DLP on: the request answers quickly and /healthz keeps answering', async (t) => {
    const fake = await startFakeProvider();
    t.teardown(() => fake.close());
    const { config, keys } = twoTenants(fake, { dlp: { detectors: { email: 'redact' } } });
    const gw = await startGateway(t, config);
    const headers = { 'x-api-key': keys.acmeMember, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
    const started = performance.now();
    const pending = fetch(`${gw.origin}/v1/messages`, { method: 'POST', headers, body: toolUseBody(nestedText(40_000)) });
    await new Promise((r) => setTimeout(r, 50));
    const health = performance.now();
    const h = await fetch(`${gw.origin}/healthz`);
    const healthMs = performance.now() - health;
    t.equal(h.status, 200);
    t.ok(healthMs < 1000, `/healthz answered in ${healthMs.toFixed(0)} ms while the deep request was in flight`);
    const res = await pending;
    const ms = performance.now() - started;
    t.equal(res.status, 400, 'refused as invalid');
    t.match(await res.json(), { type: 'error', error: { type: 'invalid_request_error' } });
    t.ok(ms < 2000, `answered in ${ms.toFixed(0)} ms`);
  });
});

t.test('issue15-3 json-nesting-depth-400: JSON nested 5,000 deep answers 400 invalid_request naming the limit, without a stack trace', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, config);
  const json = { authorization: `Bearer ${keys.acmeMember}`, 'content-type': 'application/json' };
  const deep = '['.repeat(5000) + '"x"' + ']'.repeat(5000);
  const bodies = [
    `{"model":"fast","messages":[{"role":"user","content":"hi"}],"metadata_extra":${deep}}`,
    `{"model":"fast","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${nestedText(5000)}}}]}`,
    `{"model":"fast","messages":[{"role":"user","content":${deep}}]}`,
  ];
  const before = fake.requests.length;
  for (const body of bodies) {
    const res = await fetch(`${gw.origin}/v1/chat/completions`, { method: 'POST', headers: json, body });
    t.equal(res.status, 400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    t.equal(answer.error.code, 'invalid_request');
    t.match(answer.error.message, /nest/i, 'the message names the nesting limit');
    t.match(answer.error.message, /64/, 'and its value');
  }
  // Messages API too, in its own shape.
  const anthropic = { 'x-api-key': keys.acmeMember, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
  const res = await fetch(`${gw.origin}/v1/messages`, { method: 'POST', headers: anthropic, body: toolUseBody(nestedText(5000)) });
  t.equal(res.status, 400);
  t.match(await res.json(), { type: 'error', error: { type: 'invalid_request_error' } });
  t.equal(fake.requests.length, before, 'nothing reached the provider');
  t.notOk(gw.logs.some((line) => line.includes('RangeError') || line.includes('"stack"')), 'no stack trace logged');
  // A body at the limit is still served.
  const atLimit = `{"model":"fast","messages":[{"role":"user","content":"hi"}],"metadata":{"k":${'['.repeat(60)}1${']'.repeat(60)}}}`;
  const ok = await fetch(`${gw.origin}/v1/chat/completions`, { method: 'POST', headers: json, body: atLimit });
  t.not(ok.status, 500);
  await ok.arrayBuffer();
});

t.test('a prompt of one 200,000-character run (spaces, letters) is counted in pieces: the budget estimate does not freeze the gateway', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  // acme has a budget, so every request's input tokens are estimated with the model's BPE (gpt-*).
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, config);
  const headers = { authorization: `Bearer ${keys.acmeMember}`, 'content-type': 'application/json' };
  for (const run of [' ', 'a']) {
    const started = performance.now();
    const pending = fetch(`${gw.origin}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'fast', max_tokens: 8, messages: [{ role: 'user', content: run.repeat(200_000) }] }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const health = performance.now();
    const h = await fetch(`${gw.origin}/healthz`);
    const healthMs = performance.now() - health;
    t.equal(h.status, 200);
    // Uncut, BPE merging of that one pre-token is quadratic: ~27 s on the event loop.
    t.ok(healthMs < 2000, `/healthz answered in ${healthMs.toFixed(0)} ms while the request was in flight`);
    const res = await pending;
    t.equal(res.status, 200, `the ${JSON.stringify(run)} run is served`);
    await res.arrayBuffer();
    t.ok(performance.now() - started < 5000, `answered in ${(performance.now() - started).toFixed(0)} ms`);
  }
});
