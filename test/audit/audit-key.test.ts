import t from 'tap';
import fc from 'fast-check';
import RE2 from 're2';
import { isLogId, isPartition, isTenantId, UNAUTHENTICATED_PARTITION } from '../../proxy/audit/audit-key.js';
import { TENANT_ID_PATTERN } from '../../proxy/config/schema.js';
import { newLogId } from '../../proxy/audit/log-id.js';

// The layout's definition of a log id, as a pattern: the character walk must agree with it.
const canonicalUuidV7 = new RE2('^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$');

t.test('isLogId accepts exactly the lowercase canonical UUIDv7 strings', async (t) => {
  t.ok(isLogId(newLogId(Date.now())), 'a fresh log id');
  for (const bad of ['', 'x', newLogId(0).toUpperCase(), `${newLogId(0)}0`, '0190a000-0000-4000-8000-000000000000', '0190a000-0000-7000-c000-000000000000', '0190a000-0000-7000-8000-00000000000g', '0190a000_0000-7000-8000-000000000000']) {
    t.notOk(isLogId(bad), JSON.stringify(bad));
  }
  // Mutate one character of a valid id: every mutation the pattern rejects, the walk rejects too.
  const alphabet = '0123456789abcdefABCDEF-g_7 8';
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 47 }), fc.nat(35), fc.nat(alphabet.length - 1), (ms, at, pick) => {
      const id = newLogId(ms);
      const mutated = id.slice(0, at) + alphabet[pick] + id.slice(at + 1);
      return isLogId(mutated) === canonicalUuidV7.test(mutated) && isLogId(id);
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(fc.string({ minLength: 30, maxLength: 40 }), (s) => isLogId(s) === canonicalUuidV7.test(s)));
});

t.test('isTenantId accepts exactly what the tenant id pattern of the config schema accepts', async (t) => {
  const pattern = new RE2(TENANT_ID_PATTERN);
  for (const good of ['a', '0', 'acme', 'acme-eu-1', 'a'.repeat(63)]) t.ok(isTenantId(good), good);
  for (const bad of ['', '-acme', 'Acme', 'acme_eu', 'a'.repeat(64), 'acme/..', 'acme\n', UNAUTHENTICATED_PARTITION]) t.notOk(isTenantId(bad), JSON.stringify(bad));
  t.ok(isPartition(UNAUTHENTICATED_PARTITION), 'the operator partition is a partition, not a tenant');
  const alphabet = 'az09-_A./\u00e9 ';
  const nearTenantIds = fc.array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: 70 }).map((chars) => chars.join(''));
  fc.assert(fc.property(fc.oneof(nearTenantIds, fc.string({ maxLength: 70 })), (s) => isTenantId(s) === pattern.test(s)), { numRuns: 5000 });
});
