// The two worked examples of the policy author guide, run through the real build, the real
// WASM engine and the authorize stage:
//  1. members may not use the `smart` tier outside 08:00–20:00 UTC (policies/hours.rego,
//     switched on with `business_hours.enabled` in data.json);
//  2. a tenant on plan `free` may only use tiers tagged `cheap` (policies/models.rego, on by default).
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { ModelTarget, Principal } from '../../proxy/core/vocabulary.js';
import { createAuthorizeStage } from '../../proxy/pipeline/stages/authorize.js';
import { PolicyEngine } from '../../proxy/policy/policy-engine.js';
import { buildInto, captureLogger, copyPolicies, defaultBundle, modelInput, tempDir } from './policy-fixtures.js';

const enforce = { get: () => ({ config: { policy: { mode: 'enforce' as const } } }) };
const smart: ModelTarget = { name: 'smart', kind: 'tier', provider: 'openai', providerType: 'openai', model: 'gpt-4o', tags: [] };

function modelCall(role: Principal['role'], plan: string, target: ModelTarget, at: string): RequestContext {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.url = '/v1/chat/completions';
  const ctx = new RequestContext({ requestId: 'r', api: 'openai', route: 'chat', req, res: new ServerResponse(req), ip: '127.0.0.1', now: new Date(at) });
  ctx.principal = { type: 'api_key', id: 'key-1', user: 'bob', role, tenantId: 'acme', plan, scope: mintTenantScope('acme') };
  ctx.request = { body: { model: target.name }, rawBytes: 20, model: target.name, stream: false, maxTokens: undefined, target, summary: { messageCount: 1, toolNames: [] } };
  return ctx;
}

async function outcome(stage: ReturnType<typeof createAuthorizeStage>, ctx: RequestContext): Promise<string> {
  try {
    await stage.run(ctx);
    return 'allowed';
  } catch (err) {
    if (err instanceof GatewayError) return `${err.status} ${err.message}`;
    throw err;
  }
}

t.test('worked example 1: members may not use the smart tier outside 08:00–20:00 UTC', async (t) => {
  const policies = copyPolicies(tempDir(t));
  const dataFile = join(policies, 'data.json');
  const data = JSON.parse(readFileSync(dataFile, 'utf8')) as { business_hours: { enabled: boolean; tiers: string[] } };
  t.same(data.business_hours.tiers, ['smart'], 'the shipped example names the smart tier');
  data.business_hours.enabled = true;
  writeFileSync(dataFile, JSON.stringify(data, null, 2));
  const engine = await PolicyEngine.load({ bundlePath: await buildInto(policies), logger: captureLogger().logger });
  const stage = createAuthorizeStage({ engine, registry: enforce, logger: captureLogger().logger });

  for (const at of ['2026-11-28T08:00:00Z', '2026-11-28T13:30:00Z', '2026-11-28T19:59:59Z']) {
    t.equal(await outcome(stage, modelCall('member', 'team', smart, at)), 'allowed', `member at ${at}`);
  }
  for (const at of ['2026-11-28T07:59:59Z', '2026-11-28T20:00:00Z', '2026-11-28T23:45:00Z']) {
    t.equal(await outcome(stage, modelCall('member', 'team', smart, at)), '403 Denied by policy: tier smart is only available to members between 8:00 and 20:00 UTC.', `member at ${at}`);
  }
  t.equal(await outcome(stage, modelCall('admin', 'team', smart, '2026-11-28T23:45:00Z')), 'allowed', 'admins are not restricted');
  t.equal(await outcome(stage, modelCall('member', 'team', { ...smart, name: 'fast' }, '2026-11-28T23:45:00Z')), 'allowed', 'other tiers are not restricted');
  // A time with an offset is not trusted: the rule needs UTC and fails closed.
  t.equal(engine.decide(modelInput('member', 'team', { id: 'smart' }, '2026-11-28T14:00:00+02:00')).allow, false);
});

t.test('worked example 1 ships disabled', async (t) => {
  const engine = await PolicyEngine.load({ bundlePath: await defaultBundle(), logger: captureLogger().logger });
  t.equal(engine.decide(modelInput('member', 'team', { id: 'smart' }, '2026-11-28T23:45:00Z')).allow, true);
});

t.test('worked example 2: a tenant on plan free may only use tiers tagged cheap', async (t) => {
  const engine = await PolicyEngine.load({ bundlePath: await defaultBundle(), logger: captureLogger().logger });
  const stage = createAuthorizeStage({ engine, registry: enforce, logger: captureLogger().logger });
  const noon = '2026-11-28T12:00:00Z';
  t.equal(await outcome(stage, modelCall('member', 'free', { ...smart, name: 'fast', tags: ['cheap'] }, noon)), 'allowed');
  t.equal(await outcome(stage, modelCall('owner', 'free', smart, noon)), '403 Denied by policy: plan free may only use tiers tagged cheap.');
  t.equal(await outcome(stage, modelCall('member', 'team', smart, noon)), 'allowed', 'other plans are not restricted');
});
