import t from 'tap';
import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_KEY, providerNeverSawKey, startE2e } from './e2e-setup.js';

t.test('Anthropic SDK through the gateway: non-stream, stream, tool use, errors', async (t) => {
  const { gw, fake, backup, key } = await startE2e(t);
  // @anthropic-ai/sdk 1.x sends the key as Authorization: Bearer (apiKey) — the gateway accepts it.
  const client = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });

  t.test('non-stream: x-api-key and anthropic-version upstream, request-id back', async (t) => {
    const message = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    t.match(message.content[0], { type: 'text', text: 'Hello from the fake provider, streaming word by word.' });
    t.equal(message.usage.output_tokens, 9);
    t.match(message._request_id, /^req_/);
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1/messages');
    t.equal(seen?.headers['x-api-key'], ANTHROPIC_KEY);
    t.equal(seen?.headers['anthropic-version'], '2023-06-01');
    t.notOk(seen?.headers['authorization']);
    t.equal((seen?.body as Record<string, unknown>)['model'], 'claude-sonnet-4');
  });

  t.test('stream: text events and the final message', async (t) => {
    const stream = client.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    t.equal(text, 'Hello from the fake provider, streaming word by word.');
    t.equal(final.stop_reason, 'end_turn');
  });

  t.test('tool use, streamed input_json_delta joined by the SDK', async (t) => {
    fake.enqueue({ toolCall: { name: 'lookup', arguments: { q: 'workjet', limit: 5 } } });
    const final = await client.messages
      .stream({ model: 'claude', max_tokens: 100, tools: [{ name: 'lookup', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'find' }] })
      .finalMessage();
    t.equal(final.stop_reason, 'tool_use');
    t.match(final.content[0], { type: 'tool_use', name: 'lookup', input: { q: 'workjet', limit: 5 } });
  });

  t.test('a provider 4xx passes through in the Anthropic shape', async (t) => {
    fake.enqueue({ status: 400, errorBody: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: too large' } } });
    const err = await client.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof Anthropic.BadRequestError);
    t.match((err as InstanceType<typeof Anthropic.APIError>).message, /max_tokens: too large/);
  });

  t.test('mid-stream provider failure raises in the SDK', async (t) => {
    fake.enqueue({ dieMidStream: true });
    const stream = client.messages.stream({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    const err = await stream.finalMessage().then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof Anthropic.APIError, 'the in-stream error event surfaces as an APIError');
  });

  t.test('the provider never saw the wj_ key', async (t) => {
    t.ok(providerNeverSawKey([fake, backup], key));
  });
});
