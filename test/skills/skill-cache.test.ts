// The request path's skill lookups come from memory: one store read per tenant until that
// tenant changes, then one more; lookups by another tenant's scope never see a skill.
import t from 'tap';
import { contractConfig } from '../store/store-contract.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { openTenantStore } from '../../proxy/store/open-store.js';
import { parseConfig } from '../../proxy/config/load-config.js';
import { SkillCache } from '../../proxy/skills/skill-cache.js';
import type { TenantScope } from '../../proxy/identity/tenant-scope.js';

const store = await openTenantStore({ config: parseConfig({ ...contractConfig(), store: { kind: 'sqlite', path: ':memory:' } }), logger: createLogger({ level: 'silent' }) });
t.teardown(() => store.close());
const acme = mintTenantScope('acme');
const beta = mintTenantScope('beta');

// Counts the real store's reads (the cache under test gets the store itself, only observed).
const reads: string[] = [];
const observed = {
  sync: store.sync,
  skills: { list: (scope: TenantScope) => (reads.push(scope.tenantId), store.skills.list(scope)) },
};
const cache = new SkillCache(observed);
t.teardown(() => cache.close());

t.test('one store read per tenant, then memory; a write drops the copy', async (t) => {
  const skill = await store.skills.create(acme, { name: 'n', description: 'd', systemPrompt: 'first', createdBy: 'alice' });
  const lookups = await Promise.all(Array.from({ length: 50 }, () => cache.resolve(acme, skill.id)));
  t.ok(lookups.every((s) => s?.systemPrompt === 'first'));
  for (let i = 0; i < 50; i++) t.equal((await cache.resolve(acme, skill.id))?.systemPrompt, 'first');
  t.same(reads, ['acme'], '100 lookups, one read (concurrent first lookups share it)');
  await store.skills.update(acme, skill.id, { systemPrompt: 'second' });
  t.equal((await cache.resolve(acme, skill.id))?.systemPrompt, 'second', 'the edit is seen by the next lookup');
  t.same(reads, ['acme', 'acme']);
  await store.skills.delete(acme, skill.id);
  t.equal(await cache.resolve(acme, skill.id), undefined, 'a deleted skill no longer resolves');
});

t.test("another tenant's id, or a listing id, does not resolve", async (t) => {
  const skill = await store.skills.create(acme, { name: 'n', description: 'd', systemPrompt: 'acme only', createdBy: 'alice' });
  const { listingId } = await store.skills.publish(acme, skill.id, skill);
  t.equal(await cache.resolve(beta, skill.id), undefined);
  t.equal(await cache.resolve(beta, listingId), undefined);
  t.equal(await cache.resolve(acme, listingId), undefined, 'a listing id is not a skill id, even for its publisher');
  const copy = await store.marketplace.install(beta, listingId, 'carol');
  t.equal((await cache.resolve(beta, copy.id))?.systemPrompt, 'acme only', 'the installed copy resolves in its own tenant');
  t.equal(await cache.resolve(acme, copy.id), undefined);
});
