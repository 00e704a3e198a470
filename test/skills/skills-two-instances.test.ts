// Two gateways on one PostgreSQL: a skill written through one is applied by the other within
// 1 s (the other instance's in-memory copy is dropped on NOTIFY), and a deleted skill stops
// resolving there too.
import t from 'tap';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { startPostgresServer } from '../helpers/postgres-server.js';
import { adminCall, within } from '../admin/admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());
const pg = await startPostgresServer(t);
const url = await pg.createDatabase('wj_skills_two');
const owner = makeKey('key-olga', 'olga');
const tenants = [{ id: 'acme', providers: { openai: { apiKey: 'sk-acme-provider-key-0000', baseUrl: fake.openaiBaseUrl } }, tiers: { fast: { provider: 'openai', model: 'gpt-acme' } }, users: [{ id: 'olga', role: 'owner' }], apiKeys: [owner.entry] }];
const a = await startGateway(t, { store: { kind: 'postgres', url }, tenants });
const b = await startGateway(t, { store: { kind: 'postgres', url }, tenants });

async function systemSeenVia(origin: string, skill: string): Promise<{ status: number; system: unknown }> {
  const res = await fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json', 'x-workjet-skill': skill },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.text();
  const body = fake.requests.at(-1)?.body as { messages?: { content: unknown }[] } | undefined;
  return { status: res.status, system: res.status === 200 ? body?.messages?.[0]?.content : undefined };
}

t.test('an edit on A is applied by B within 1 s; a delete on A stops B resolving it', async (t) => {
  const created = await adminCall(a.origin, 'POST', '/admin/v1/skills', owner.key, { name: 's', description: 'd', systemPrompt: 'version one' });
  t.match(await systemSeenVia(b.origin, created.body.id), { status: 200, system: 'version one' }, 'B reads it on first use');
  t.equal((await adminCall(a.origin, 'PATCH', `/admin/v1/skills/${created.body.id}`, owner.key, { systemPrompt: 'version two' })).status, 200);
  const edited = await within(1000, async () => (await systemSeenVia(b.origin, created.body.id)).system === 'version two');
  t.ok(edited <= 1000, `B applies the edit after ${edited} ms`);
  t.equal((await adminCall(a.origin, 'DELETE', `/admin/v1/skills/${created.body.id}`, owner.key)).status, 204);
  const gone = await within(1000, async () => (await systemSeenVia(b.origin, created.body.id)).status === 404);
  t.ok(gone <= 1000, `B answers 404 after ${gone} ms`);
});
