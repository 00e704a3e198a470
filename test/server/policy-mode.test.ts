import t from 'tap';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';
import { waitForAuditFile } from './fixtures/audit-files.js';

const DIRECT_DENIED = 'plan team does not allow direct provider/model access';

t.test('policy mode per tenant: dry-run lets denials through and records wouldDeny, enforce answers 403', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  // acme runs its policy in dry-run; globex enforces (the default); initech is enterprise (direct models allowed).
  const { config, keys } = twoTenants(fake, { policy: { mode: 'dry-run' } });
  const ini = makeKey('key-ivan', 'ivan');
  const [acme, globex] = config['tenants'] as Record<string, unknown>[];
  const tenants = [
    acme,
    // globex also gets an Anthropic provider, to see a denial on /v1/messages.
    { ...globex, providers: { ...(globex?.['providers'] as object), anthropic: { apiKey: 'sk-ant-globex-provider', baseUrl: fake.anthropicBaseUrl } } },
    {
      id: 'initech',
      plan: 'enterprise',
      providers: { openai: { apiKey: 'sk-initech-provider', baseUrl: fake.openaiBaseUrl } },
      tiers: { fast: { provider: 'openai', model: 'gpt-initech' } },
      users: [{ id: 'ivan', role: 'member' }],
      apiKeys: [ini.entry],
    },
  ];
  const pricing = { ...(config['pricing'] as object), 'gpt-direct': { input: 1, output: 2 } };
  const gw = await startGateway(t, { ...config, pricing, tenants });
  const chat = (key: string, model: string) =>
    fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  t.test('dry-run: a member calling an admin-only action proceeds; the record says wouldDeny', async (t) => {
    const res = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${keys.acmeMember}` } });
    t.equal(res.status, 200, 'served in dry-run');
    t.ok(Array.isArray(((await res.json()) as { data: unknown[] }).data));
    const requestId = res.headers.get('x-workjet-request-id');
    const file = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === requestId);
    t.match(file.record, { action: 'keys.read', status: 200, errorCode: null, principal: { user: 'alice', role: 'member' } });
    t.match(file.record.decision, { allow: false, wouldDeny: true });
    t.match(file.record.decision?.reasons.join(' '), 'role member does not grant keys.read');
    t.match(gw.logs.join('\n'), /policy would deny \(dry-run\)/, 'the would-deny is logged');
  });

  t.test('dry-run: a denied model (direct model on a team plan) is forwarded; the record says wouldDeny', async (t) => {
    const before = fake.requests.length;
    const res = await chat(keys.acmeMember, 'openai/gpt-direct');
    t.equal(res.status, 200);
    await res.json();
    t.equal(fake.requests.length, before + 1, 'the provider was called');
    t.equal((fake.requests.at(-1)?.body as { model: string }).model, 'gpt-direct');
    const decisionId = res.headers.get('x-workjet-decision-id');
    t.ok(decisionId, 'the decision id is on the response');
    const file = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === res.headers.get('x-workjet-request-id'));
    t.match(file.record, { action: 'model.invoke', status: 200, model: 'gpt-direct' });
    t.match(file.record.decision, { id: decisionId, allow: false, wouldDeny: true });
    t.match(file.record.decision?.reasons, [DIRECT_DENIED]);
  });

  t.test('dry-run: an allowed request is recorded as allowed, not wouldDeny', async (t) => {
    const res = await chat(keys.acmeMember, 'fast');
    t.equal(res.status, 200);
    await res.json();
    const file = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.requestId === res.headers.get('x-workjet-request-id'));
    t.match(file.record.decision, { id: res.headers.get('x-workjet-decision-id'), allow: true, wouldDeny: false });
  });

  t.test("dry-run: a direct model only ever reaches the caller's own provider key", async (t) => {
    const res = await chat(keys.acmeMember, 'openai/gpt-globex');
    t.equal(res.status, 200);
    await res.json();
    t.equal(fake.requests.at(-1)?.headers['authorization'], `Bearer sk-acme-openai-provider-secret-1111`);
  });

  t.test('enforce: the same denied model is 403 policy_denied with x-workjet-decision-id; upstream untouched', async (t) => {
    const before = fake.requests.length;
    const res = await chat(keys.globexMember, 'openai/gpt-direct');
    t.equal(res.status, 403);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    t.match(body.error, { code: 'policy_denied', type: 'permission_error' });
    t.match(body.error.message, DIRECT_DENIED);
    const decisionId = res.headers.get('x-workjet-decision-id');
    t.ok(decisionId);
    t.equal(res.headers.get('x-should-retry'), 'false');
    t.equal(fake.requests.length, before, 'the provider was not called');
    const file = await waitForAuditFile(gw.auditDir, 'globex', (r) => r.requestId === res.headers.get('x-workjet-request-id'));
    t.match(file.record, { status: 403, errorCode: 'policy_denied', action: 'model.invoke' });
    t.match(file.record.decision, { id: decisionId, allow: false, wouldDeny: false, reasons: [DIRECT_DENIED] });
  });

  t.test('enforce: the SDKs raise PermissionDeniedError and see the decision id', async (t) => {
    const openai = new OpenAI({ baseURL: gw.baseURL, apiKey: keys.globexMember, maxRetries: 0 });
    const err = await openai.chat.completions.create({ model: 'openai/gpt-direct', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, OpenAI.PermissionDeniedError);
    t.ok((err as InstanceType<typeof OpenAI.PermissionDeniedError>).headers?.get('x-workjet-decision-id'));
  });

  t.test('enforce on the Anthropic route: 403 permission_error in the Anthropic shape', async (t) => {
    const before = fake.requests.length;
    const anthropic = new Anthropic({ baseURL: gw.origin, apiKey: keys.globexMember, maxRetries: 0 });
    const err = await anthropic.messages.create({ model: 'anthropic/claude-direct', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    t.type(err, Anthropic.PermissionDeniedError);
    const e = err as InstanceType<typeof Anthropic.PermissionDeniedError>;
    t.match(e.error, { type: 'error', error: { type: 'permission_error', message: /direct provider\/model access/ } });
    t.ok(e.headers?.get('x-workjet-decision-id'));
    t.equal(e.requestID, e.headers?.get('x-workjet-request-id'));
    t.equal(fake.requests.length, before);
  });

  t.test('enforce: a member calling an admin-only action is 403 with the decision id, recorded with it', async (t) => {
    const res = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${keys.globexMember}` } });
    t.equal(res.status, 403);
    t.match(await res.json(), { error: { code: 'policy_denied', message: /role member does not grant keys\.read/ } });
    const decisionId = res.headers.get('x-workjet-decision-id');
    t.ok(decisionId);
    const file = await waitForAuditFile(gw.auditDir, 'globex', (r) => r.requestId === res.headers.get('x-workjet-request-id'));
    t.match(file.record, { action: 'keys.read', status: 403, errorCode: 'policy_denied' });
    t.match(file.record.decision, { id: decisionId, allow: false, wouldDeny: false });
  });

  t.test('enterprise plan: a direct model is allowed (the denial above is the plan rule)', async (t) => {
    const res = await chat(ini.key, 'openai/gpt-direct');
    t.equal(res.status, 200);
    await res.json();
    const file = await waitForAuditFile(gw.auditDir, 'initech', (r) => r.requestId === res.headers.get('x-workjet-request-id'));
    t.match(file.record.decision, { allow: true, wouldDeny: false });
  });
});
