import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { waitForAuditFile } from '../server/fixtures/audit-files.js';

/** The DLP findings of the audit record of `requestId` (the spool delivers in the background). */
async function findingsOf(auditDir: string, requestId: string | null | undefined): Promise<unknown> {
  const file = await waitForAuditFile(auditDir, 'acme', (r) => r.requestId === requestId);
  return file.record.dlp;
}

t.test('DLP end to end with the official SDKs', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const acmeKey = makeKey('key-acme', 'alice');
  const globexKey = makeKey('key-globex', 'bob');
  const tenant = (id: string, key: { entry: object }, responses: 'redact' | 'block') => ({
    id,
    providers: { openai: { apiKey: `sk-${id}-upstream`, baseUrl: fake.openaiBaseUrl }, anthropic: { apiKey: `sk-ant-${id}`, baseUrl: fake.anthropicBaseUrl } },
    tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' }, claude: { provider: 'anthropic', model: 'claude-sonnet-4' } },
    users: [{ id: id === 'acme' ? 'alice' : 'bob', role: 'member' }],
    apiKeys: [key.entry],
    dlp: {
      detectors: { email: 'redact', credit_card: 'block', us_ssn: 'log' },
      custom: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }],
      responses,
    },
  });
  const gw = await startGateway(t, { tenants: [tenant('acme', acmeKey, 'redact'), tenant('globex', globexKey, 'block')] });
  const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: acmeKey.key, maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: acmeKey.key, maxRetries: 0 });
  const lastBody = (): string => JSON.stringify(fake.requests.at(-1)?.body);

  t.test('redact: the provider receives [REDACTED:email]', async (t) => {
    const res = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Write to jane.roe@corp.example.org today' }] });
    t.match(lastBody(), '"content":"Write to [REDACTED:email] today"');
    t.notMatch(lastBody(), 'jane.roe');
    t.same(await findingsOf(gw.auditDir, res._request_id), [{ detector: 'email', count: 1, action: 'redact', direction: 'request' }]);
  });

  t.test('block: 400 dlp_blocked naming the detectors, nothing forwarded', async (t) => {
    const before = fake.requests.length;
    const err = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'card 4539 1488 0343 6467 for PRJ-123456' }] }).catch((e: unknown) => e);
    t.ok(err instanceof OpenAI.APIError);
    const api = err as InstanceType<typeof OpenAI.APIError>;
    t.equal(api.status, 400);
    t.equal(api.code, 'dlp_blocked');
    t.match(api.message, /Request blocked by data loss prevention: (credit_card, project_code|project_code, credit_card)/);
    t.notMatch(api.message, /4539|PRJ-123456/);
    t.equal(fake.requests.length, before);
    const anthropicErr = await anthropic.messages.create({ model: 'claude', max_tokens: 20, messages: [{ role: 'user', content: 'card 4539 1488 0343 6467' }] }).catch((e: unknown) => e);
    t.ok(anthropicErr instanceof Anthropic.BadRequestError, 'Anthropic SDK: 400 invalid_request_error');
  });

  t.test('log: forwarded unchanged, the finding is recorded', async (t) => {
    const res = await openai.responses.create({ model: 'fast', input: 'my SSN is 536-22-1234' });
    t.match(lastBody(), '536-22-1234');
    t.same(await findingsOf(gw.auditDir, res._request_id), [{ detector: 'us_ssn', count: 1, action: 'log', direction: 'request' }]);
  });

  t.test('response redaction on streams of all three APIs', async (t) => {
    const answer = 'Your card 4539 1488 0343 6467 is on file.';
    fake.enqueue({ text: answer });
    let chat = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'card?' }] })) chat += chunk.choices[0]?.delta.content ?? '';
    t.equal(chat, 'Your card [REDACTED:credit_card] is on file.');

    fake.enqueue({ text: answer });
    const message = await anthropic.messages.stream({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: 'card?' }] }).finalMessage();
    t.same(message.content.map((b) => (b.type === 'text' ? b.text : '')), ['Your card [REDACTED:credit_card] is on file.']);

    fake.enqueue({ text: answer });
    let deltas = '';
    let completedText = '';
    for await (const event of await openai.responses.create({ model: 'fast', input: 'card?', stream: true })) {
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') completedText = event.response.output.map((item) => (item.type === 'message' ? item.content.map((c) => (c.type === 'output_text' ? c.text : '')).join('') : '')).join('');
    }
    t.equal(deltas, 'Your card [REDACTED:credit_card] is on file.');
    t.equal(completedText, deltas, 'response.completed carries the redacted text too');

    fake.enqueue({ text: answer });
    const plain = await openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'card?' }] });
    t.equal(plain.choices[0]?.message.content, 'Your card [REDACTED:credit_card] is on file.');
    t.same(await findingsOf(gw.auditDir, plain._request_id), [{ detector: 'credit_card', count: 1, action: 'redact', direction: 'response' }]);
  });

  t.test('response block mode: the stream ends in an error the SDK raises', async (t) => {
    const globex = new OpenAI({ baseURL: gw.baseURL, apiKey: globexKey.key, maxRetries: 0 });
    fake.enqueue({ text: 'Here it is: 4539 1488 0343 6467 as requested.' });
    let text = '';
    const err = await (async () => {
      for await (const chunk of await globex.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'card?' }] })) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    t.ok(err instanceof Error, 'the SDK raises');
    t.match(String((err as Error).message), /Response blocked by data loss prevention: credit_card/);
    t.notMatch(text, /4539|1488|0343|6467/);
    fake.enqueue({ text: 'Here it is: 4539 1488 0343 6467 as requested.' });
    const nonStream = await globex.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'card?' }] }).catch((e: unknown) => e);
    t.equal((nonStream as InstanceType<typeof OpenAI.APIError>).code, 'dlp_blocked');
  });
});
