import t from 'tap';
import pino from 'pino';
import { createDlpStage } from '../../proxy/pipeline/stages/dlp.js';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import type { DlpFinding } from '../../proxy/core/vocabulary.js';
import { contextFor, registryOf } from './context-fixture.js';

const registry = registryOf({
  acme: compileTenantDlp('acme', {
    detectors: { email: 'redact', credit_card: 'block', us_ssn: 'log' },
    custom: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }],
    responses: 'off',
  }),
  globex: compileTenantDlp('globex', { detectors: {}, custom: [], responses: 'off' }),
});
const seen: [string, DlpFinding][] = [];
const stage = createDlpStage({ registry, logger: pino({ level: 'silent' }), onFinding: (tenant, f) => seen.push([tenant, f]) });

t.test('redact: the forwarded copy has [REDACTED:email], the parsed body is untouched', async (t) => {
  const body = { model: 'fast', messages: [{ role: 'user', content: 'Reach me at jane@corp.example.org please' }] };
  const ctx = contextFor('chat', body);
  await stage.run(ctx);
  t.same(ctx.findings, [{ detector: 'email', count: 1, action: 'redact', direction: 'request' }]);
  t.same(ctx.outgoingBody, { model: 'fast', messages: [{ role: 'user', content: 'Reach me at [REDACTED:email] please' }] });
  t.equal(ctx.request.body, body);
  t.equal((body.messages[0] as { content: string }).content, 'Reach me at jane@corp.example.org please');
  t.same(seen.pop(), ['acme', { detector: 'email', count: 1, action: 'redact', direction: 'request' }]);
});

t.test('block: 400 dlp_blocked naming the detectors, never the matched text', async (t) => {
  const ctx = contextFor('messages', { model: 'smart', max_tokens: 10, system: 'code PRJ-123456', messages: [{ role: 'user', content: 'card 4539 1488 0343 6467, mail a@b.io' }] });
  let thrown: unknown;
  try {
    await stage.run(ctx);
  } catch (err) {
    thrown = err;
  }
  t.ok(thrown instanceof GatewayError);
  const error = thrown as GatewayError;
  t.equal(error.code, 'dlp_blocked');
  t.equal(error.status, 400);
  t.match(error.message, /^Request blocked by data loss prevention: (credit_card, project_code|project_code, credit_card)$/);
  t.notMatch(error.message, /4539|PRJ-|a@b/);
  t.equal(ctx.findings.length, 3, 'findings are recorded before the rejection (for the audit record)');
  t.equal(ctx.forwardBody, undefined);
});

t.test('log: forwarded unchanged, the finding is in the request context', async (t) => {
  const ctx = contextFor('responses', { model: 'fast', input: 'my SSN is 536-22-1234' });
  await stage.run(ctx);
  t.same(ctx.findings, [{ detector: 'us_ssn', count: 1, action: 'log', direction: 'request' }]);
  t.equal(ctx.forwardBody, undefined);
  t.equal(ctx.outgoingBody, ctx.request.body);
});

t.test('clean requests, other tenants and /v1/models write an empty findings list', async (t) => {
  const clean = contextFor('embeddings', { model: 'embed', input: ['hello', 'world'] });
  await stage.run(clean);
  t.same(clean.findings, []);
  const other = contextFor('chat', { messages: [{ role: 'user', content: 'a@b.io 4539 1488 0343 6467' }] }, 'globex');
  await stage.run(other);
  t.same(other.findings, [], 'globex enabled no detectors: acme settings never apply to it');
  const models = contextFor('models', {});
  await stage.run(models);
  t.same(models.findings, []);
});

t.test('scans what will be forwarded, including an earlier stage rewrite', async (t) => {
  const ctx = contextFor('chat', { messages: [{ role: 'user', content: 'hi' }] });
  ctx.mutableBody().messages = [{ role: 'system', content: 'skill prompt: escalate to ops@corp.example.org' }, { role: 'user', content: 'hi' }];
  await stage.run(ctx);
  t.same(ctx.outgoingBody, { messages: [{ role: 'system', content: 'skill prompt: escalate to [REDACTED:email]' }, { role: 'user', content: 'hi' }] });
});
