import t, { type Test } from 'tap';
import { pino } from 'pino';
import { buildAuditRecord, buildEventRecord, routeOf } from '../../proxy/audit/audit-record.js';
import { requestFacts } from '../../proxy/pipeline/audit-facts.js';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { createHash } from 'node:crypto';
import { HashChain, recordHash, canonicalJson, hashMatches } from '../../proxy/audit/hash-chain.js';
import type { AuditRecord } from '../../proxy/audit/audit-record.js';
import { isLogId, logIdTimeMs, recordKey, UNAUTHENTICATED_PARTITION } from '../../proxy/audit/audit-key.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { completedContext, makeContext, makePrincipal, makeRequest } from './fixtures/context.js';
import { recordValidator } from './fixtures/schema.js';
import { fileAuditConfig } from './fixtures/config.js';
import { recordFiles, readJson } from './fixtures/files.js';

const validate = recordValidator();
const day = new Date('2026-11-28T14:05:00.000Z');
const chain = new HashChain('test-instance');

function assertValid(t: Test, value: unknown, label: string): void {
  const ok = validate(value);
  t.ok(ok, `${label} validates against audit-record.schema.json`, { errors: validate.errors });
}

t.test('a successful request: every field from the context, schema-valid', async (t) => {
  const ctx = completedContext('acme', { now: day, requestId: 'req_abc' });
  ctx.findings = [{ detector: 'email', count: 2, action: 'redact', direction: 'request' }];
  const draft = buildAuditRecord(requestFacts(ctx), { includeContent: false, costUsd: 0.000022 });
  const record = chain.link(draft);
  assertValid(t, record, 'success record');
  t.equal(record.requestId, 'req_abc');
  t.equal(record.time, '2026-11-28T14:05:00.000Z');
  t.ok(isLogId(record.id));
  t.equal(logIdTimeMs(record.id), day.getTime(), 'the id carries the request time');
  t.equal(recordKey(record.tenant, record.id), `audit/acme/2026/11/28/${record.id}.json`);
  t.same(record.principal, { type: 'api_key', user: 'bob', keyId: 'key-bob', role: 'member' });
  t.equal(record.action, 'model.invoke');
  t.equal(record.route, '/v1/chat/completions');
  t.equal(record.tier, 'fast');
  t.equal(record.provider, 'openai');
  t.equal(record.model, 'gpt-4o-mini');
  t.same(record.decision, { id: 'dec-1', allow: true, reasons: [], wouldDeny: false });
  t.same(record.dlp, [{ detector: 'email', count: 2, action: 'redact', direction: 'request' }]);
  t.same(record.usage, { inputTokens: 12, outputTokens: 34, estimated: false });
  t.equal(record.costUsd, 0.000022);
  t.equal(record.status, 200);
  t.equal(record.errorCode, null);
  t.equal(record.upstreamLatencyMs, 12.3);
  t.equal(record.clientDisconnected, false);
  t.equal(record.content, undefined, 'no content without includeContent');
  t.equal(record.hash, recordHash(record));
});

t.test('401: no principal → operator partition, still schema-valid', async (t) => {
  const ctx = makeContext({ now: day, headers: { authorization: 'Bearer wj_nope' } });
  ctx.error = new GatewayError('invalid_api_key', 'Invalid API key.');
  const record = chain.link(buildAuditRecord(requestFacts(ctx), { includeContent: false }));
  assertValid(t, record, '401 record');
  t.equal(record.tenant, UNAUTHENTICATED_PARTITION);
  t.equal(record.principal, null);
  t.equal(record.status, 401);
  t.equal(record.errorCode, 'invalid_api_key');
  t.equal(record.tier, null);
  t.equal(record.usage, null);
  t.match(recordKey(record.tenant, record.id), /^audit\/_unauthenticated\/2026\/11\/28\//);
});

t.test('403, dry-run decision, DLP block, disconnect, models list', async (t) => {
  const denied = makeContext({ now: day });
  denied.principal = makePrincipal('acme');
  denied.request = makeRequest({ model: 'fast' });
  denied.decision = { id: 'dec-2', allow: false, reasons: ['role member may not use tier smart'], wouldDeny: false };
  denied.error = new GatewayError('policy_denied', 'denied');
  const r1 = chain.link(buildAuditRecord(requestFacts(denied), { includeContent: false }));
  assertValid(t, r1, '403 record');
  t.equal(r1.status, 403);
  t.same(r1.decision?.reasons, ['role member may not use tier smart']);

  const blocked = makeContext({ now: day });
  blocked.principal = makePrincipal('acme');
  blocked.request = makeRequest({ model: 'fast' });
  blocked.findings = [{ detector: 'credit_card', count: 1, action: 'block', direction: 'request' }];
  blocked.error = new GatewayError('dlp_blocked', 'blocked: credit_card');
  const r2 = chain.link(buildAuditRecord(requestFacts(blocked), { includeContent: false }));
  assertValid(t, r2, 'dlp record');
  t.equal(r2.errorCode, 'dlp_blocked');

  const gone = completedContext('acme', { now: day });
  gone.pendingResponse = undefined;
  gone.clientDisconnected = true;
  gone.usage = { inputTokens: 5, outputTokens: 3, estimated: true };
  const r3 = chain.link(buildAuditRecord(requestFacts(gone), { includeContent: false }));
  assertValid(t, r3, 'disconnect record');
  t.equal(r3.status, 499);
  t.equal(r3.clientDisconnected, true);
  t.equal(r3.usage?.estimated, true);

  const models = makeContext({ now: day, route: 'models', url: '/v1/models?x=1' });
  models.principal = makePrincipal('acme');
  models.status = 200;
  const r4 = chain.link(buildAuditRecord(requestFacts(models), { includeContent: false }));
  assertValid(t, r4, 'models record');
  t.equal(r4.action, 'model.list');
  t.equal(r4.route, '/v1/models', 'query string dropped');
});

t.test('includeContent copies only ctx.capturedContent', async (t) => {
  const ctx = completedContext('acme', { now: day });
  ctx.capturedContent = { prompt: [{ role: 'user', content: 'mail [REDACTED:email]' }], completion: 'ok' };
  const without = buildAuditRecord(requestFacts(ctx), { includeContent: false });
  t.equal(without.content, undefined);
  const withContent = chain.link(buildAuditRecord(requestFacts(ctx), { includeContent: true }));
  assertValid(t, withContent, 'content record');
  t.same(withContent.content, { prompt: [{ role: 'user', content: 'mail [REDACTED:email]' }], completion: 'ok' });
  const nothingCaptured = buildAuditRecord(requestFacts(completedContext('acme', { now: day })), { includeContent: true });
  t.equal(nothingCaptured.content, undefined, 'no capture → no content, never the request body');
});

t.test('events: admin actions and budget alerts in the scope partition', async (t) => {
  const scope = mintTenantScope('acme');
  const admin = chain.link(
    buildEventRecord(scope, { action: 'audit.read', principal: makePrincipal('acme', 'alice', 'admin', 'key-alice'), route: '/admin/v1/audit?date=2026-11-28', time: day, details: { method: 'GET' } }),
  );
  assertValid(t, admin, 'admin event');
  t.equal(admin.route, '/admin/v1/audit');
  const alert = chain.link(buildEventRecord(scope, { action: 'budget.alert', time: day, costUsd: 80, details: { thresholdPercent: 80 } }));
  assertValid(t, alert, 'budget alert');
  t.equal(alert.principal, null);
  const anonymous = chain.link(buildEventRecord(null, { action: 'admin.unknown', status: 401, errorCode: 'invalid_api_key', time: day }));
  t.equal(anonymous.tenant, UNAUTHENTICATED_PARTITION);
  assertValid(t, anonymous, 'unauthenticated admin event');
  t.throws(() => buildEventRecord(scope, { action: 'Not An Action' }), /invalid audit action/);
  t.throws(() => buildEventRecord(scope, { action: 'key.create', principal: makePrincipal('globex') }), /another tenant/);
  t.throws(() => buildEventRecord({ tenantId: 'acme' } as never, { action: 'key.create' }), /minted/, 'a forged scope is refused');
});

t.test('hash chain: per tenant and day, linked by prevHash and prevId', async (t) => {
  const c = new HashChain('chain-test');
  const scope = mintTenantScope('acme');
  const a = c.link(buildEventRecord(scope, { action: 'key.create', time: day }));
  const b = c.link(buildEventRecord(scope, { action: 'key.create', time: day }));
  const other = c.link(buildEventRecord(mintTenantScope('globex'), { action: 'key.create', time: day }));
  const nextDay = c.link(buildEventRecord(scope, { action: 'key.create', time: new Date('2026-11-29T00:00:01Z') }));
  t.equal(a.seq, 1);
  t.equal(a.prevHash, null);
  t.equal(b.seq, 2);
  t.equal(b.prevHash, a.hash);
  t.equal(b.prevId, a.id);
  t.equal(other.seq, 1, 'other tenant: own chain');
  t.equal(nextDay.seq, 1, 'new day: new chain');
  t.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: null }] }), '{"a":[1,{"c":null,"d":2}],"b":1}');
});

t.test('the hash covers the record JSON the spool stores; older canonical-JSON hashes still verify', async (t) => {
  const c = new HashChain('json-test');
  const { record, json } = c.linkWithJson(buildEventRecord(mintTenantScope('acme'), { action: 'key.create', time: day, details: { z: 1, a: 'ü "q"' } }));
  t.equal(json, JSON.stringify(record), 'the text handed to the spool is the record as JSON');
  const { hash, ...rest } = JSON.parse(json) as AuditRecord;
  t.equal(hash, createHash('sha256').update(JSON.stringify(rest)).digest('hex'), 'sha256 of the stored JSON without hash');
  const stored = JSON.parse(json) as AuditRecord;
  t.ok(hashMatches(stored), 'a record read back from storage verifies');
  t.notOk(hashMatches({ ...stored, status: 500 }), 'an edited one does not');

  // A record an earlier version wrote: hashed over canonical JSON (keys sorted).
  const legacy = { ...rest, hash: createHash('sha256').update(canonicalJson(rest)).digest('hex') } as AuditRecord;
  t.not(legacy.hash, hash, 'the two schemes give different hashes for this record');
  t.ok(hashMatches(legacy), 'a canonical-JSON hash still verifies');
  t.notOk(hashMatches({ ...legacy, action: 'key.revoke' }), 'and an edit of such a record is still caught');
});

t.test('a draft becomes its record and is linked once: a second link is refused and the chain does not move', async (t) => {
  const c = new HashChain('once');
  const draft = buildEventRecord(mintTenantScope('acme'), { action: 'key.create', time: day });
  const { record, json } = c.linkWithJson(draft);
  t.throws(() => c.link(draft), { name: 'TypeError', message: /linked once/ });
  t.equal(json, JSON.stringify(record), 'the first record is intact');
  const next = c.link(buildEventRecord(mintTenantScope('acme'), { action: 'key.create', time: day }));
  t.equal(next.seq, 2);
  t.equal(next.prevHash, record.hash, 'the next record follows the first');
});

t.test('routeOf keeps only the path', async (t) => {
  t.equal(routeOf('/v1/chat/completions?api_key=wj_x#frag'), '/v1/chat/completions');
  t.equal(routeOf('/v1/x#a?b'), '/v1/x');
  t.equal(routeOf(undefined), null);
});

t.test('every record a log writes validates against the schema', async (t) => {
  const dir = t.testdir();
  const log = await createAuditLog({ config: fileAuditConfig(dir, { includeContent: true }), logger: pino({ level: 'silent' }), instanceId: 'schema-run' });
  const ok = completedContext('acme', { now: day });
  ok.capturedContent = { prompt: 'hi [REDACTED:email]', completion: 'done' };
  await log.recordRequest(requestFacts(ok), { costUsd: 0.5 });
  const unauth = makeContext({ now: day });
  unauth.error = new GatewayError('invalid_api_key', 'nope');
  await log.recordRequest(requestFacts(unauth));
  await log.appendEvent(mintTenantScope('globex'), { action: 'budget.alert', details: { thresholdPercent: 50 } });
  await log.close();
  const files = await recordFiles(dir);
  t.equal(files.length, 3);
  for (const file of files) assertValid(t, await readJson(file), file.slice(dir.length));
});
