// The policy input: DESIGN.md's shape, tenant and plan from the principal only, a summary of
// model calls, and never any prompt text.
import t from 'tap';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import type { ModelRequest, Principal } from '../../proxy/core/vocabulary.js';
import { buildPolicyInput, policyTime, requestSummary, targetResource } from '../../proxy/policy/policy-input.js';

const principal: Principal = { type: 'api_key', id: 'key-1', user: 'alice', role: 'member', tenantId: 'acme', plan: 'team', scope: mintTenantScope('acme') };
const request: ModelRequest = {
  body: { model: 'fast', messages: [{ role: 'system', content: 'TOP SECRET system' }, { role: 'user', content: 'my card is 4111 1111 1111 1111' }], tools: [{ type: 'function', function: { name: 'lookup' } }] },
  rawBytes: 200,
  model: 'fast',
  stream: true,
  maxTokens: 512,
  target: { name: 'fast', kind: 'tier', provider: 'openai', providerType: 'openai', model: 'gpt-4o-mini', tags: ['cheap'] },
  summary: { messageCount: 2, toolNames: ['lookup'] },
};

t.test('a model call input has DESIGN.md shape and a content-free summary', async (t) => {
  const input = buildPolicyInput({
    action: 'model.invoke',
    principal,
    resource: targetResource(request.target, principal.tenantId),
    method: 'POST',
    path: '/v1/chat/completions?api-version=1',
    ip: '10.1.2.3',
    time: new Date('2026-11-28T14:05:00.789Z'),
    summary: requestSummary(request),
  });
  t.same(input, {
    action: 'model.invoke',
    principal: { type: 'api_key', id: 'key-1', user: 'alice', role: 'member', tenant: 'acme' },
    resource: { type: 'tier', id: 'fast', tenant: 'acme', provider: 'openai', model: 'gpt-4o-mini', tags: ['cheap'] },
    tenant: { id: 'acme', plan: 'team' },
    request: {
      method: 'POST',
      path: '/v1/chat/completions',
      ip: '10.1.2.3',
      time: '2026-11-28T14:05:00Z',
      summary: { model: 'fast', tier: 'fast', stream: true, max_tokens: 512, tools: ['lookup'], message_count: 2 },
    },
  });
  const json = JSON.stringify(input);
  t.notMatch(json, 'SECRET');
  t.notMatch(json, '4111');
});

t.test('direct models and missing max_tokens', async (t) => {
  const direct = { ...request, maxTokens: undefined, model: 'openai/gpt-4o', target: { ...request.target, name: 'openai/gpt-4o', kind: 'direct' as const, model: 'gpt-4o', tags: [] } };
  t.same(targetResource(direct.target, 'acme'), { type: 'model', id: 'openai/gpt-4o', tenant: 'acme', provider: 'openai', model: 'gpt-4o', tags: [] });
  const summary = requestSummary(direct);
  t.notOk('max_tokens' in summary, 'omitted, not null');
  t.notOk('tier' in summary);
});

t.test('policyTime is RFC 3339 UTC at second precision', async (t) => {
  t.equal(policyTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999))), '2026-01-02T03:04:05Z');
});
