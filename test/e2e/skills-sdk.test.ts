// x-workjet-skill through the official SDKs, stream and non-stream: OpenAI chat completions
// (leading system message), OpenAI Responses (`instructions`) and the Anthropic Messages API
// (`system`). The fake provider records what reached it: the skill's prompt comes first, after
// DLP (the tenant redacts e-mail, and the skill's e-mail arrives redacted).
import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider, type RecordedRequest } from '../fake-provider/fake-provider.js';
import { twoTenants } from '../server/fixtures/tenants.js';
import { adminCall } from '../admin/admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());
const { config, keys } = twoTenants(fake, { dlp: { detectors: { email: 'redact' } } });
const gw = await startGateway(t, config);

const PROMPT = 'You are the release-notes writer. Escalate to ops@acme.example.';
const FORWARDED = 'You are the release-notes writer. Escalate to [REDACTED:email].';
const created = await adminCall(gw.origin, 'POST', '/admin/v1/skills', keys.acmeMember, { name: 'Release notes', description: 'Writes release notes', systemPrompt: PROMPT });
const skill = created.body.id as string;
const headers = { 'x-workjet-skill': skill, 'x-workjet-assistant': 'release-bot' };
const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.acmeMember, maxRetries: 0, defaultHeaders: headers });
const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: keys.acmeMember, maxRetries: 0, defaultHeaders: headers });

const last = (path: string): Record<string, unknown> => {
  const seen = fake.requests.filter((r: RecordedRequest) => r.path === path).at(-1);
  return (seen?.body ?? {}) as Record<string, unknown>;
};

t.test('OpenAI chat completions: a leading system message, non-stream and stream', async (t) => {
  const answer = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'v1.2' }] });
  t.ok(answer.choices[0]?.message.content);
  t.same(last('/v1/chat/completions')['messages'], [
    { role: 'system', content: FORWARDED },
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'v1.2' },
  ]);
  let text = '';
  for await (const chunk of await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'v1.3' }] })) text += chunk.choices[0]?.delta.content ?? '';
  t.ok(text.length > 0);
  t.same(last('/v1/chat/completions')['messages'], [
    { role: 'system', content: FORWARDED },
    { role: 'user', content: 'v1.3' },
  ]);
});

t.test('OpenAI Responses: instructions, non-stream and stream', async (t) => {
  const answer = await openai.responses.create({ model: 'fast', input: 'v2.0' });
  t.ok(answer.output_text);
  t.equal(last('/v1/responses')['instructions'], FORWARDED);
  const stream = await openai.responses.create({ model: 'fast', input: 'v2.1', instructions: 'Use bullet points.', stream: true });
  let done = false;
  for await (const event of stream) if (event.type === 'response.completed') done = true;
  t.ok(done);
  t.equal(last('/v1/responses')['instructions'], `${FORWARDED}\n\nUse bullet points.`, "the skill first, the caller's instructions after");
});

t.test('Anthropic Messages: system, non-stream and stream', async (t) => {
  const message = await anthropic.messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'v3.0' }] });
  t.equal(message.content[0]?.type, 'text');
  t.equal(last('/v1/messages')['system'], FORWARDED);
  const final = await anthropic.messages.stream({ model: 'claude', max_tokens: 100, system: [{ type: 'text', text: 'Sign as Acme.' }], messages: [{ role: 'user', content: 'v3.1' }] }).finalMessage();
  t.equal(final.stop_reason, 'end_turn');
  t.same(last('/v1/messages')['system'], [
    { type: 'text', text: FORWARDED },
    { type: 'text', text: 'Sign as Acme.' },
  ]);
});

t.test("another tenant's skill id is a 404 not_found through every SDK", async (t) => {
  const globexSkill = await adminCall(gw.origin, 'POST', '/admin/v1/skills', keys.globexMember, { name: 'g', description: 'g', systemPrompt: 'globex only' });
  const foreign = { 'x-workjet-skill': globexSkill.body.id as string };
  await t.rejects(openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }, { headers: foreign }), { status: 404, code: 'not_found' });
  await t.rejects(openai.responses.create({ model: 'fast', input: 'x' }, { headers: foreign }), { status: 404, code: 'not_found' });
  await t.rejects(anthropic.messages.create({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: foreign }), Anthropic.NotFoundError);
  t.notOk(fake.requests.some((r) => JSON.stringify(r.body).includes('globex only')), 'the other tenant prompt never reached a provider');
});

t.test('usage per assistant', async (t) => {
  const usage = await adminCall(gw.origin, 'GET', '/admin/v1/usage', keys.acmeAdmin);
  t.ok(usage.body.by_assistant['release-bot'] > 0);
  t.notOk('release-bot' in (await adminCall(gw.origin, 'GET', '/admin/v1/usage', keys.globexAdmin)).body.by_assistant, 'within the tenant');
});
