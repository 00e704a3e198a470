// Skills and the marketplace tried as a new user would, on the demo config (config/gateway.yaml)
// with a second tenant beside it: create a skill, call a model with x-workjet-skill and see the
// prompt arrive first; publish; from the second tenant browse, install and call with the copy;
// the author edits and unpublishes; the copy is unchanged and still works; the listing is gone.
// Every marketplace answer and every error on these routes is searched for the publisher's
// tenant id, user id and skill id.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import OpenAI from 'openai';
import { startGateway, makeKey, REPO_ROOT } from '../helpers/gateway.js';
import { adminCall, type AdminReply } from './admin-client.js';
import { waitForAuditFile } from '../server/fixtures/audit-files.js';
import { githubClassic } from '../dlp/corpus/keys.js';
import { Rng } from '../dlp/corpus/rng.js';

const DEMO_KEY = 'wj_JNVnyWMCuduCxfgnucVPxzPSgKLzTTUAu6bBwBownar';
const demo = parse(readFileSync(join(REPO_ROOT, 'config/gateway.yaml'), 'utf8')) as { tenants: Record<string, unknown>[] } & Record<string, unknown>;
const zed = makeKey('key-zed', 'zed');
const yan = makeKey('key-yan', 'yan');
const second = {
  id: 'initech',
  plan: 'team',
  providers: { demo: { type: 'demo' } },
  tiers: { fast: { provider: 'demo', model: 'demo-fast' }, claude: { provider: 'demo', model: 'demo-claude' } },
  users: [
    { id: 'zed', role: 'admin' },
    { id: 'yan', role: 'member' },
  ],
  apiKeys: [zed.entry, yan.entry],
  dlp: { detectors: {}, custom: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }] },
  rateLimits: { perUser: { tokensPerMinute: 3000 } },
};
const gw = await startGateway(t, { ...demo, audit: {}, tenants: [...demo.tenants, second] });
const call = (method: string, path: string, key: string, body?: unknown) => adminCall(gw.origin, method, path, key, body);
const client = (key: string, headers: Record<string, string> = {}) => new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0, defaultHeaders: headers });

const PROMPT = 'You are Pirate Pete. Answer every question like a pirate, briefly.';
const seen: AdminReply[] = [];
const track = async (reply: Promise<AdminReply>) => {
  const r = await reply;
  seen.push(r);
  return r;
};

t.test('author creates a skill and calls a model with it; the prompt reaches the provider first', async (t) => {
  const created = await call('POST', '/admin/v1/skills', DEMO_KEY, { name: 'Pirate', description: 'Talks like a pirate', systemPrompt: PROMPT });
  t.equal(created.status, 201);
  t.match(created.body, { id: /^skl_/, name: 'Pirate', description: 'Talks like a pirate', systemPrompt: PROMPT, published: false, createdBy: 'alice', source: 'api' });
  t.notOk('installedFrom' in created.body);
  const skillId = created.body.id as string;
  const answer = await client(DEMO_KEY, { 'x-workjet-skill': skillId }).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Where is the gold?' }] });
  t.match(answer.choices[0]?.message.content, `Your instructions begin: "${PROMPT.slice(0, 80)}"`, 'the demo provider echoes the instructions it got first');
  t.match(answer.choices[0]?.message.content, 'You said: "Where is the gold?"');
  const plain = await client(DEMO_KEY).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Where is the gold?' }] });
  t.notMatch(plain.choices[0]?.message.content, 'instructions', 'without the header nothing is added');
  t.context = skillId;
});

t.test('publish, then the second tenant browses, installs and calls with its copy; the author edits and unpublishes', async (t) => {
  const skillId = (await call('GET', '/admin/v1/skills', DEMO_KEY)).body.data[0].id as string;
  const published = await call('POST', `/admin/v1/skills/${skillId}/publish`, DEMO_KEY);
  t.equal(published.status, 200);
  t.match(published.body, { listingId: /^lst_/ });
  t.same(Object.keys(published.body), ['listingId']);
  const listingId = published.body.listingId as string;
  t.match((await call('GET', `/admin/v1/skills/${skillId}`, DEMO_KEY)).body, { published: true });

  const browse = await track(call('GET', '/admin/v1/marketplace/skills?q=pirate', yan.key));
  t.equal(browse.status, 200);
  t.same(browse.body.data.map((l: Record<string, unknown>) => Object.keys(l).sort()), [['description', 'listingId', 'name', 'publishedAt', 'systemPrompt']]);
  t.match(browse.body.data[0], { listingId, name: 'Pirate', description: 'Talks like a pirate', systemPrompt: PROMPT });

  const installed = await track(call('POST', `/admin/v1/marketplace/skills/${listingId}/install`, yan.key));
  t.equal(installed.status, 201);
  t.match(installed.body, { id: /^skl_/, name: 'Pirate', systemPrompt: PROMPT, installedFrom: listingId, createdBy: 'yan', published: false });
  const copyId = installed.body.id as string;
  t.not(copyId, skillId, 'an independent copy with its own id');

  const useCopy = () => client(yan.key, { 'x-workjet-skill': copyId }).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Ahoy?' }] });
  t.match((await useCopy()).choices[0]?.message.content, `Your instructions begin: "${PROMPT.slice(0, 80)}"`);

  // The author edits and unpublishes.
  const edited = await call('PATCH', `/admin/v1/skills/${skillId}`, DEMO_KEY, { systemPrompt: 'You are a polite butler.' });
  t.match(edited, { status: 200, body: { systemPrompt: 'You are a polite butler.' } });
  t.equal((await call('POST', `/admin/v1/skills/${skillId}/unpublish`, DEMO_KEY)).status, 204);
  t.match((await call('GET', `/admin/v1/skills/${skillId}`, DEMO_KEY)).body, { published: false });

  t.match((await call('GET', `/admin/v1/skills/${copyId}`, yan.key)).body, { systemPrompt: PROMPT, installedFrom: listingId }, 'the copy is unchanged');
  t.match((await useCopy()).choices[0]?.message.content, `Your instructions begin: "${PROMPT.slice(0, 80)}"`, 'and still works');
  const authorNow = await client(DEMO_KEY, { 'x-workjet-skill': skillId }).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
  t.match(authorNow.choices[0]?.message.content, 'Your instructions begin: "You are a polite butler."', "the author's edit applies at once to the author's calls");

  const after = await track(call('GET', '/admin/v1/marketplace/skills?q=pirate', zed.key));
  t.same(after.body.data, [], 'the listing is gone');
  t.match(await track(call('POST', `/admin/v1/marketplace/skills/${listingId}/install`, zed.key)), { status: 404, body: { error: { code: 'not_found' } } });

  // Deleting the original later does not touch the copy either.
  t.equal((await call('DELETE', `/admin/v1/skills/${skillId}`, DEMO_KEY)).status, 204);
  t.match((await useCopy()).choices[0]?.message.content, `Your instructions begin: "${PROMPT.slice(0, 80)}"`);
});

t.test("another tenant's skill id and a listing id answer 404 not_found on model calls", async (t) => {
  const mine = await call('POST', '/admin/v1/skills', DEMO_KEY, { name: 'Secretive', description: 'demo only', systemPrompt: 'Only for demo.' });
  const listing = await call('POST', `/admin/v1/skills/${mine.body.id}/publish`, DEMO_KEY);
  for (const id of [mine.body.id as string, listing.body.listingId as string, 'skl_nope']) {
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${yan.key}`, 'content-type': 'application/json', 'x-workjet-skill': id },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
    });
    t.equal(res.status, 404, id);
    const text = await res.text();
    t.match(JSON.parse(text), { error: { code: 'not_found', param: 'x-workjet-skill' } });
    t.notOk(text.includes(id), 'the error does not repeat the id');
    t.notOk(text.includes('demo') || text.includes('alice'), 'nor name the publisher');
  }
  await call('DELETE', `/admin/v1/skills/${mine.body.id}`, DEMO_KEY);
});

t.test('publishing runs DLP: a secret, or a detector with action block, is 400 dlp_blocked', async (t) => {
  // The demo tenant does not scan for GitHub tokens; publishing does, whatever the tenant set.
  const token = githubClassic(new Rng(12), 'ghp');
  const withKey = await call('POST', '/admin/v1/skills', DEMO_KEY, { name: 'Leaky', description: 'has a key', systemPrompt: `Use the token ${token} when asked.` });
  const refused = await call('POST', `/admin/v1/skills/${withKey.body.id}/publish`, DEMO_KEY);
  t.match(refused, { status: 400, body: { error: { code: 'dlp_blocked', message: /github_token/ } } });
  t.notOk(refused.text.includes(token), 'never the matched text');
  t.same((await call('GET', '/admin/v1/marketplace/skills?q=leaky', yan.key)).body.data, [], 'nothing was published');
  // initech blocks its project codes: a prompt holding one cannot leave the tenant.
  const coded = await call('POST', '/admin/v1/skills', zed.key, { name: 'Coded', description: 'internal', systemPrompt: 'Tag every answer PRJ-123456.' });
  t.match(await call('POST', `/admin/v1/skills/${coded.body.id}/publish`, zed.key), { status: 400, body: { error: { code: 'dlp_blocked', message: /project_code/ } } });
  await call('DELETE', `/admin/v1/skills/${coded.body.id}`, zed.key);
  // The demo tenant redacts e-mail: the published copy carries the redaction, the skill keeps its text.
  const withMail = await call('POST', '/admin/v1/skills', DEMO_KEY, { name: 'Mailer', description: 'signs mails', systemPrompt: 'Sign as ops@example.com.' });
  t.equal((await call('POST', `/admin/v1/skills/${withMail.body.id}/publish`, DEMO_KEY)).status, 200);
  const listed = await call('GET', '/admin/v1/marketplace/skills?q=mailer', yan.key);
  t.equal(listed.body.data[0].systemPrompt, 'Sign as [REDACTED:email].');
  t.equal((await call('GET', `/admin/v1/skills/${withMail.body.id}`, DEMO_KEY)).body.systemPrompt, 'Sign as ops@example.com.');
});

t.test("the skill's prompt counts against tokens/min like the caller's own text; embeddings refuse the header", async (t) => {
  const long = await call('POST', '/admin/v1/skills', zed.key, { name: 'Verbose', description: 'long', systemPrompt: 'Be thorough and precise. '.repeat(600) });
  const ask = (headers: Record<string, string>) =>
    fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${zed.key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'fast', max_tokens: 50, messages: [{ role: 'user', content: 'short question' }] }),
    });
  t.equal((await ask({})).status, 200, 'the short question alone fits in 3000 tokens/min');
  const refused = await ask({ 'x-workjet-skill': long.body.id });
  t.equal(refused.status, 429, 'with a ~3600-token skill prompt it does not');
  t.match(await refused.json(), { error: { code: 'rate_limit_exceeded' } });
  const embed = await fetch(`${gw.baseURL}/embeddings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${zed.key}`, 'content-type': 'application/json', 'x-workjet-skill': long.body.id },
    body: JSON.stringify({ model: 'fast', input: 'vector' }),
  });
  t.match({ status: embed.status, body: await embed.json() }, { status: 400, body: { error: { code: 'invalid_request', param: 'x-workjet-skill' } } });
  await call('DELETE', `/admin/v1/skills/${long.body.id}`, zed.key);
});

t.test('search (?q= over name and description) and paging', async (t) => {
  for (let i = 0; i < 5; i++) {
    const s = await call('POST', '/admin/v1/skills', zed.key, { name: `Reviewer ${i}`, description: i % 2 === 0 ? 'Reviews CODE diffs' : 'Reviews prose', systemPrompt: `Review carefully (${i}).` });
    t.equal((await call('POST', `/admin/v1/skills/${s.body.id}/publish`, zed.key)).status, 200);
  }
  const code = await track(call('GET', '/admin/v1/marketplace/skills?q=code', DEMO_KEY));
  t.same(code.body.data.map((l: { name: string }) => l.name).sort(), ['Reviewer 0', 'Reviewer 2', 'Reviewer 4'], 'description matches, case-insensitive');
  t.same((await call('GET', '/admin/v1/marketplace/skills?q=reviewer%203', DEMO_KEY)).body.data.map((l: { name: string }) => l.name), ['Reviewer 3'], 'name matches');
  t.same((await call('GET', '/admin/v1/marketplace/skills?q=%25', DEMO_KEY)).body.data, [], '% is a literal character, not a wildcard');
  const names: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: AdminReply = await track(call('GET', `/admin/v1/marketplace/skills?q=review&limit=2${cursor ? `&cursor=${cursor}` : ''}`, DEMO_KEY));
    t.equal(page.status, 200);
    t.ok(page.body.data.length <= 2);
    names.push(...page.body.data.map((l: { name: string }) => l.name));
    cursor = page.body.next_cursor;
    t.equal(page.body.has_more, cursor !== null);
    pages++;
  } while (cursor);
  t.equal(pages, 3);
  t.same(names, ['Reviewer 4', 'Reviewer 3', 'Reviewer 2', 'Reviewer 1', 'Reviewer 0'], 'newest first, each once');
  t.match(await track(call('GET', '/admin/v1/marketplace/skills?cursor=garbage', DEMO_KEY)), { status: 400, body: { error: { code: 'invalid_request', param: 'cursor' } } });
  t.match(await track(call('GET', '/admin/v1/marketplace/skills?limit=0', DEMO_KEY)), { status: 400, body: { error: { param: 'limit' } } });
});

t.test('x-workjet-assistant and the skill are in the audit record; usage breaks spend down per assistant', async (t) => {
  const s = await call('POST', '/admin/v1/skills', DEMO_KEY, { name: 'Auditor', description: 'audited', systemPrompt: 'Be brief.' });
  const res = await client(DEMO_KEY, { 'x-workjet-skill': s.body.id, 'x-workjet-assistant': 'nightly-digest' }).chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'summarise' }] }).withResponse();
  const requestId = res.response.headers.get('x-workjet-request-id');
  const file = await waitForAuditFile(gw.auditDir, 'demo', (r) => r.requestId === requestId);
  t.match(file.record, { skill: { id: s.body.id, name: 'Auditor' }, assistant: 'nightly-digest', principal: { user: 'alice' } });
  const usage = await call('GET', '/admin/v1/usage', DEMO_KEY);
  t.equal(usage.status, 200);
  t.ok(usage.body.by_assistant['nightly-digest'] > 0, 'spend per assistant');
  t.match(await fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json', 'x-workjet-assistant': 'bad name!' }, body: '{"model":"fast","messages":[{"role":"user","content":"x"}]}' }), { status: 400 });
});

t.test('no marketplace answer or error on these routes holds the publisher tenant, user or skill id', async (t) => {
  // initech's own skills (the reviewers it published), not the copy yan installed from demo.
  const skills = (await call('GET', '/admin/v1/skills', zed.key)).body.data as { id: string; installedFrom?: string }[];
  const forbidden = ['initech', 'zed', ...skills.filter((s) => s.installedFrom === undefined).map((s) => s.id)];
  t.ok(seen.length >= 8);
  for (const reply of seen) {
    for (const needle of forbidden) t.notOk(reply.text.includes(needle), `${reply.status} answer holds no "${needle}"`);
  }
  // The first listing's publisher (demo/alice) too.
  for (const reply of seen.slice(0, 3)) for (const needle of ['"demo"', 'alice']) t.notOk(reply.text.includes(needle), needle);
});
