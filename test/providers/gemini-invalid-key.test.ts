import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGeminiTenant } from '../helpers/gemini-tenant.js';

/**
 * A bad Gemini key: Google answers 400 `INVALID_ARGUMENT` with reason `API_KEY_INVALID` (or
 * 403 `PERMISSION_DENIED`). Like a 401 from OpenAI or Anthropic, the client's own key was fine,
 * so every client API gets the gateway's 502 `upstream_error` in its own shape, with
 * `x-should-retry: false` — never Google's text, which here quotes the key it received.
 */

const GEMINI_KEY = 'AIzaSy-CANARY-bad-gemini-key-000000';

t.test('a refused Gemini key is a 502 in each client API, without the provider text or key', async (t) => {
  const { gw, fake, key } = await startGeminiTenant(t, GEMINI_KEY, { flash: 'gemini-2.5-flash', embed: 'gemini-embedding-001' });
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: key, maxRetries: 0 });

  const calls: [string, () => Promise<unknown>][] = [
    ['chat', () => openai.chat.completions.create({ model: 'flash', messages: [{ role: 'user', content: 'hi' }] })],
    ['chat stream', async () => {
      for await (const _chunk of await openai.chat.completions.create({ model: 'flash', stream: true, messages: [{ role: 'user', content: 'hi' }] })) void _chunk;
    }],
    ['responses', () => openai.responses.create({ model: 'flash', input: 'hi' })],
    ['responses stream', () => openai.responses.stream({ model: 'flash', input: 'hi' }).finalResponse()],
    ['embeddings', () => openai.embeddings.create({ model: 'embed', input: 'hi' })],
    ['embeddings batch', () => openai.embeddings.create({ model: 'embed', input: ['a', 'b'] })],
  ];
  for (const [name, call] of calls) {
    t.test(`${name}: OpenAI SDK error, status 502, server_error`, async (t) => {
      fake.enqueue({ geminiKeyInvalid: true });
      const err = await call().catch((e: unknown) => e);
      t.type(err, OpenAI.InternalServerError);
      const e = err as InstanceType<typeof OpenAI.InternalServerError>;
      t.equal(e.status, 502);
      t.match(e.error, { type: 'server_error' });
      t.match(e.message, /rejected the gateway's credentials.*provider key/);
      t.equal(e.headers?.get('x-should-retry'), 'false', 'the SDKs are told not to retry');
      t.notMatch(JSON.stringify(e.error) + e.message, /AIzaSy|API key not valid|API_KEY_INVALID/, 'neither the key nor Google\'s text');
    });
  }

  const messages: [string, () => Promise<unknown>][] = [
    ['messages', () => anthropic.messages.create({ model: 'flash', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })],
    ['messages stream', () => anthropic.messages.stream({ model: 'flash', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()],
  ];
  for (const [name, call] of messages) {
    t.test(`${name}: Anthropic SDK error, status 502, api_error`, async (t) => {
      fake.enqueue({ geminiKeyInvalid: true });
      const err = await call().catch((e: unknown) => e);
      t.type(err, Anthropic.InternalServerError);
      const e = err as InstanceType<typeof Anthropic.InternalServerError>;
      t.equal(e.status, 502);
      t.match(e.error, { type: 'error', error: { type: 'api_error' } });
      t.notMatch(JSON.stringify(e.error), /AIzaSy|API key not valid|API_KEY_INVALID/);
    });
  }

  t.test('403 PERMISSION_DENIED is the same 502; any other 400 stays the client\'s 400', async (t) => {
    fake.enqueue({ status: 403 });
    const denied = await openai.responses.create({ model: 'flash', input: 'hi' }).catch((e: unknown) => e);
    t.type(denied, OpenAI.InternalServerError);
    t.equal((denied as InstanceType<typeof OpenAI.InternalServerError>).status, 502);
    fake.enqueue({ status: 400 });
    const bad = await anthropic.messages.create({ model: 'flash', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(bad, Anthropic.BadRequestError, 'a malformed-request 400 passes through');
  });

  t.test('the key is in no log line', async (t) => {
    t.notOk(gw.logs.some((l) => l.includes(GEMINI_KEY)));
  });
});
