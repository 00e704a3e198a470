import t from 'tap';
import { buildAuditRecord } from '../../proxy/audit/audit-record.js';
import { requestFacts } from '../../proxy/pipeline/audit-facts.js';
import { HashChain, recordHash } from '../../proxy/audit/hash-chain.js';
import { completedContext } from './fixtures/context.js';

t.test('linkSerialized: the JSON text is the record, and its hash verifies', async (t) => {
  const chain = new HashChain('test-instance');
  for (const requestId of ['req_1', 'req_2', 'req_3']) {
    const ctx = completedContext('acme', { now: new Date('2026-11-28T14:05:00.000Z'), requestId });
    ctx.findings = [{ detector: 'email', count: 1, action: 'redact', direction: 'request' }];
    const { record, json } = chain.linkSerialized(buildAuditRecord(requestFacts(ctx), { includeContent: true }));
    const parsed = JSON.parse(json) as typeof record;
    t.same(parsed, JSON.parse(JSON.stringify(record)), `${requestId}: the text parses to the record`);
    t.equal(recordHash(parsed), parsed.hash, `${requestId}: the hash of the parsed text verifies`);
  }
  const next = chain.link(buildAuditRecord(requestFacts(completedContext('acme', { now: new Date('2026-11-28T14:06:00.000Z') })), { includeContent: false }));
  t.equal(next.seq, 4, 'link and linkSerialized advance the same chain');
});
