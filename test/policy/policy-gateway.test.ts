// Policy through the real gateway (in-process, port 0, demo provider): decision id header on
// every answer, 403 policy_denied with the policy's reasons in each client API's shape, dry-run,
// the admin API, the model list, and a bundle swapped on disk without a restart.
import t from 'tap';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeKey, startGateway } from '../helpers/gateway.js';
import { buildInto, copyPolicies, defaultBundle, tempDir } from './policy-fixtures.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const member = makeKey('key-bob', 'bob');
const admin = makeKey('key-alice', 'alice');
const freeMember = makeKey('key-fred', 'fred');
const trialMember = makeKey('key-tina', 'tina');

function tenant(id: string, plan: string, user: string, key: { id: string; user: string; sha256: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    plan,
    providers: { demo: { type: 'demo' } },
    tiers: { fast: { provider: 'demo', model: 'demo-fast', tags: ['cheap'] }, smart: { provider: 'demo', model: 'demo-smart' } },
    users: [{ id: user, role: 'member' }],
    apiKeys: [key],
    ...extra,
  };
}

async function gatewayWith(t: Parameters<typeof startGateway>[0], bundle: string) {
  return startGateway(t, {
    policy: { bundle },
    tenants: [
      {
        ...tenant('acme', 'team', 'bob', member.entry),
        users: [{ id: 'bob', role: 'member' }, { id: 'alice', role: 'admin' }],
        apiKeys: [member.entry, admin.entry],
      },
      tenant('freeco', 'free', 'fred', freeMember.entry),
      tenant('trialco', 'free', 'tina', trialMember.entry, { policy: { mode: 'dry-run' } }),
    ],
  });
}

async function chat(baseURL: string, key: string, model: string): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

t.test('model calls: allow, deny with reasons, dry-run, direct models', async (t) => {
  const gw = await gatewayWith(t, await defaultBundle());

  const ok = await chat(gw.baseURL, member.key, 'smart');
  t.equal(ok.status, 200);
  t.match(ok.headers.get('x-workjet-decision-id'), UUID_V7);

  const denied = await chat(gw.baseURL, freeMember.key, 'smart');
  t.equal(denied.status, 403);
  t.match(denied.headers.get('x-workjet-decision-id'), UUID_V7);
  t.same(await denied.json(), {
    error: { message: 'Denied by policy: plan free may only use tiers tagged cheap.', type: 'permission_error', code: 'policy_denied', param: null },
  });

  const anthropic = await fetch(`${gw.origin}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': freeMember.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'smart', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });
  t.equal(anthropic.status, 403);
  t.match(await anthropic.json(), { type: 'error', error: { type: 'permission_error', message: 'Denied by policy: plan free may only use tiers tagged cheap.' } });

  t.equal((await chat(gw.baseURL, freeMember.key, 'fast')).status, 200, 'a cheap tier is fine on free');
  t.equal((await chat(gw.baseURL, trialMember.key, 'smart')).status, 200, 'dry-run lets the would-be denial through');
  t.ok(gw.logs.some((l) => l.includes('policy would deny (dry-run)') && l.includes('trialco')));

  const direct = await chat(gw.baseURL, member.key, 'demo/demo-fast');
  t.equal(direct.status, 403);
  t.match((await direct.json()) as object, { error: { message: /plan team does not allow direct provider\/model access/ } });
});

t.test('GET /v1/models lists only what the policy allows', async (t) => {
  const gw = await gatewayWith(t, await defaultBundle());
  const list = async (key: string) => {
    const res = await fetch(`${gw.baseURL}/models`, { headers: { authorization: `Bearer ${key}` } });
    t.equal(res.status, 200);
    return ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id).sort();
  };
  t.same(await list(member.key), ['fast', 'smart']);
  t.same(await list(freeMember.key), ['fast']);
});

t.test('admin API: a member gets 403 with the reason, an admin gets through', async (t) => {
  const gw = await gatewayWith(t, await defaultBundle());
  const asMember = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${member.key}` } });
  t.equal(asMember.status, 403);
  t.match(await asMember.text(), 'role member does not grant keys.read');
  const asAdmin = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${admin.key}` } });
  t.equal(asAdmin.status, 200);
});

t.test('a new bundle on disk changes the next request; a corrupt one keeps the old policy', async (t) => {
  const live = join(tempDir(t), 'bundle.tar.gz');
  copyFileSync(await defaultBundle(), live);
  const gw = await gatewayWith(t, live);
  t.equal((await chat(gw.baseURL, member.key, 'fast')).status, 200);

  writeFileSync(live, 'corrupt');
  const failedBy = Date.now() + 20_000;
  while (!gw.logs.some((l) => l.includes('policy bundle reload failed')) && Date.now() < failedBy) await new Promise((r) => setTimeout(r, 50));
  t.ok(gw.logs.some((l) => l.includes('policy bundle reload failed')), 'the corrupt bundle was tried and refused');
  t.equal((await chat(gw.baseURL, member.key, 'fast')).status, 200, 'the old policy still serves');

  const sources = copyPolicies(tempDir(t));
  writeFileSync(join(sources, 'freeze.rego'), 'package workjet.authz\n\ndeny contains "model calls are frozen" if input.action == "model.invoke"\n');
  copyFileSync(await buildInto(sources), live);
  const until = Date.now() + 20_000;
  let status = 200;
  while (status === 200 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    status = (await chat(gw.baseURL, member.key, 'fast')).status;
  }
  t.equal(status, 403, 'the new policy answers without a restart');
  t.ok(gw.logs.some((l) => l.includes('policy bundle reloaded')));
});
