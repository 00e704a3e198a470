import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { parseConfig } from '../../proxy/config/load-config.js';
import { hashApiKey } from '../../proxy/identity/api-keys.js';
import { Secret } from '../../proxy/identity/secret.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import type { GatewayConfig } from '../../proxy/config/schema.js';
import type { StoreEnv } from '../../proxy/store/open-store.js';
import { StoreError } from '../../proxy/store/store-error.js';
import type { TenantStore } from '../../proxy/store/tenant-store.js';

/** Opens a fresh, empty store of one backend with `config` applied. */
export type OpenStore = (t: Test, config: GatewayConfig, env?: StoreEnv) => Promise<TenantStore>;

export const MASTER_KEY = randomBytes(32).toString('base64');
const YAML_KEY_HASH = hashApiKey('wj_yamlkeyyamlkeyyamlkeyyamlkeyyamlkeyyamlkey1');

/** Two YAML tenants: acme declares users, a key, a provider with a key, a tier and DLP; beta declares little. */
export function contractConfig(extra: Record<string, unknown> = {}): GatewayConfig {
  return parseConfig({
    ...extra,
    tenants: [
      {
        id: 'acme',
        providers: { openai: { apiKey: 'sk-yaml-declared-provider-key', baseUrl: 'https://api.openai.com/v1' }, demo: { type: 'demo' } },
        tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' } },
        users: [{ id: 'alice', role: 'owner' }, { id: 'bob', role: 'member' }],
        apiKeys: [{ id: 'key-yaml', user: 'alice', sha256: YAML_KEY_HASH }],
        dlp: { detectors: { email: 'redact' } },
      },
      { id: 'beta', providers: { demo: { type: 'demo' } }, users: [{ id: 'carol', role: 'owner' }] },
    ],
  });
}

const acme = mintTenantScope('acme');
const beta = mintTenantScope('beta');

async function rejectsWith(t: Test, promise: Promise<unknown>, code: StoreError['code'], param?: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof StoreError, `throws StoreError ${code}`);
  t.equal((err as StoreError).code, code);
  if (param !== undefined) t.equal((err as StoreError).param, param);
}

/** The store contract: every backend passes the same behaviour. */
export function storeContract(t: Test, open: OpenStore): void {
  t.test('YAML entities are listed as config and are read-only', async (t) => {
    const store = await open(t, contractConfig());
    t.same((await store.users.list(acme)).map((u) => [u.id, u.role, u.source]), [['alice', 'owner', 'config'], ['bob', 'member', 'config']]);
    t.match(await store.keys.list(acme), [{ id: 'key-yaml', user: 'alice', source: 'config', revoked: false }]);
    t.match(await store.providers.list(acme), [{ name: 'demo', source: 'config', apiKeySet: false }, { name: 'openai', apiKeySet: true, source: 'config' }]);
    t.equal((await store.dlp.get(acme)).source, 'config');
    t.equal((await store.limits.get(acme)).source, 'api', 'an undeclared setting belongs to the API');
    await rejectsWith(t, store.users.update(acme, 'bob', { role: 'admin' }), 'managed_by_config');
    await rejectsWith(t, store.users.delete(acme, 'alice'), 'managed_by_config');
    await rejectsWith(t, store.keys.revoke(acme, 'key-yaml'), 'managed_by_config');
    await rejectsWith(t, store.providers.put(acme, 'openai', { type: 'openai' }), 'managed_by_config');
    await rejectsWith(t, store.tiers.delete(acme, 'fast'), 'managed_by_config');
    await rejectsWith(t, store.dlp.put(acme, { detectors: {}, customPatterns: [], responses: 'off' }), 'managed_by_config');
    const keys = JSON.stringify(await store.keys.list(acme));
    t.notOk(keys.includes(YAML_KEY_HASH), 'a list never shows a key hash');
  });

  t.test('keys: created once in clear text, stored as SHA-256, revoked; another tenant cannot see or touch them', async (t) => {
    const store = await open(t, contractConfig());
    const created = await store.keys.create(acme, { user: 'bob', name: 'ci', createdBy: 'alice' });
    t.match(created.key.reveal(), /^wj_[0-9A-Za-z]{43}$/);
    t.equal(String(created.key), '[REDACTED]');
    t.match(created, { user: 'bob', name: 'ci', createdBy: 'alice', revoked: false, source: 'api' });
    const snap = await store.sync.snapshot(acme);
    t.ok(snap?.config.apiKeys.some((k) => k.id === created.id && k.sha256 === hashApiKey(created.key.reveal())), 'the registry gets the hash');
    await rejectsWith(t, store.keys.get(beta, created.id), 'not_found');
    await rejectsWith(t, store.keys.revoke(beta, created.id), 'not_found');
    t.equal((await store.keys.get(acme, created.id)).revoked, false, "another tenant's revoke changed nothing");
    t.notOk((await store.keys.list(beta)).some((k) => k.id === created.id));
    await rejectsWith(t, store.keys.create(acme, { user: 'carol', createdBy: 'alice' }), 'invalid', 'user');
    await rejectsWith(t, store.keys.create(acme, { user: 'bob', expiresAt: '2001-01-01T00:00:00Z', createdBy: 'alice' }), 'invalid', 'expiresAt');
    const change = await store.keys.revoke(acme, created.id);
    t.equal(change.before?.revoked, false);
    t.equal(change.after?.revoked, true);
    t.equal((await store.keys.get(acme, created.id)).revoked, true);
  });

  t.test('users: add, change role, remove (which revokes their keys); ids are per tenant', async (t) => {
    const store = await open(t, contractConfig());
    t.same(await store.users.create(acme, { id: 'dave', role: 'member' }), { id: 'dave', role: 'member', source: 'api' });
    await rejectsWith(t, store.users.create(acme, { id: 'dave', role: 'admin' }), 'conflict');
    await rejectsWith(t, store.users.get(beta, 'dave'), 'not_found');
    await rejectsWith(t, store.users.update(beta, 'dave', { role: 'owner' }), 'not_found');
    await rejectsWith(t, store.users.delete(beta, 'dave'), 'not_found');
    const change = await store.users.update(acme, 'dave', { role: 'admin' });
    t.same([change.before?.role, change.after?.role], ['member', 'admin']);
    const key = await store.keys.create(acme, { user: 'dave', createdBy: 'alice' });
    await store.users.delete(acme, 'dave');
    await rejectsWith(t, store.users.get(acme, 'dave'), 'not_found');
    t.equal((await store.keys.get(acme, key.id)).revoked, true, "the removed user's key is revoked");
    t.same(await store.users.create(beta, { id: 'dave', role: 'member' }), { id: 'dave', role: 'member', source: 'api' }, 'the same id in another tenant is another user');
  });

  t.test('providers: keys need the master key, are never returned, and reach only the snapshot', async (t) => {
    const noKey = await open(t, contractConfig());
    await rejectsWith(t, noKey.providers.put(acme, 'mine', { type: 'openai', apiKey: new Secret('sk-canary-no-master') }), 'master_key_missing');
    t.same(await noKey.providers.put(acme, 'local', { type: 'openai', baseUrl: 'https://llm.example.com/v1' }), { before: undefined, after: { name: 'local', type: 'openai', baseUrl: 'https://llm.example.com/v1', apiKeySet: false, source: 'api' } }, 'a provider without a key needs no master key');

    const store = await open(t, contractConfig(), { WORKJET_MASTER_KEY: MASTER_KEY });
    const put = await store.providers.put(acme, 'mine', { type: 'anthropic', apiKey: new Secret('sk-canary-provider-key') });
    t.same(put.after, { name: 'mine', type: 'anthropic', baseUrl: null, apiKeySet: true, source: 'api' });
    t.notOk(JSON.stringify(await store.providers.list(acme)).includes('sk-canary'), 'lists never show a provider key');
    t.equal((await store.sync.snapshot(acme))?.config.providers['mine']?.apiKey, 'sk-canary-provider-key', 'the registry gets the decrypted key');
    t.equal((await store.sync.snapshot(acme))?.config.providers['openai']?.apiKey, 'sk-yaml-declared-provider-key', 'a YAML key comes from the YAML');
    await store.providers.put(acme, 'mine', { type: 'anthropic', baseUrl: 'https://proxy.example.com' });
    t.equal((await store.sync.snapshot(acme))?.config.providers['mine']?.apiKey, 'sk-canary-provider-key', 'a put without apiKey keeps the key');
    t.notOk((await store.providers.list(beta)).some((p) => p.name === 'mine'));
    await rejectsWith(t, store.providers.delete(beta, 'mine'), 'not_found');
    await store.tiers.put(acme, 'claude', { provider: 'mine', model: 'claude-x' });
    await rejectsWith(t, store.providers.delete(acme, 'mine'), 'in_use');
    await store.tiers.delete(acme, 'claude');
    t.same((await store.providers.delete(acme, 'mine')).after, undefined);
    await store.providers.put(acme, 'gone', { type: 'openai', apiKey: null });
    t.equal((await store.providers.list(acme)).find((p) => p.name === 'gone')?.apiKeySet, false);
  });

  t.test('tiers: references are checked in the tenant; fallbacks in use cannot be deleted', async (t) => {
    const store = await open(t, contractConfig());
    await rejectsWith(t, store.tiers.put(beta, 'fast', { provider: 'openai', model: 'x' }), 'invalid', 'provider');
    await rejectsWith(t, store.tiers.put(acme, 'smart', { provider: 'demo', model: 'x', fallbacks: ['nope'] }), 'invalid', 'fallbacks[0]');
    const put = await store.tiers.put(acme, 'smart', { provider: 'demo', model: 'demo-smart', fallbacks: ['fast'], tags: ['big'] });
    t.same(put.after, { name: 'smart', provider: 'demo', model: 'demo-smart', fallbacks: ['fast'], tags: ['big'], source: 'api' });
    await store.tiers.put(acme, 'tiny', { provider: 'demo', model: 'demo-tiny' });
    await store.tiers.put(acme, 'smart', { provider: 'demo', model: 'demo-smart', fallbacks: ['tiny'] });
    await rejectsWith(t, store.tiers.delete(acme, 'tiny'), 'in_use');
    t.notOk((await store.tiers.list(beta)).some((x) => x.name === 'smart'));
    t.same((await store.sync.snapshot(acme))?.config.tiers['smart'], { provider: 'demo', model: 'demo-smart', fallbacks: ['tiny'], tags: [] });
  });

  t.test('DLP, limits and budget: validated, replaced, read back', async (t) => {
    const store = await open(t, contractConfig());
    await rejectsWith(t, store.dlp.put(beta, { detectors: { nope: 'block' }, customPatterns: [], responses: 'off' }), 'invalid', 'detectors.nope');
    await rejectsWith(t, store.dlp.put(beta, { detectors: {}, customPatterns: [{ name: 'code', pattern: 'PRJ-(', action: 'block' }], responses: 'off' }), 'invalid', 'customPatterns[0].pattern');
    await rejectsWith(t, store.dlp.put(beta, { detectors: {}, customPatterns: [{ name: 'code', pattern: '(?=x)', action: 'block' }], responses: 'off' }), 'invalid', 'customPatterns[0].pattern');
    const dlp = { detectors: { email: 'block' as const }, customPatterns: [{ name: 'code', pattern: 'PRJ-[0-9]{6}', action: 'redact' as const }], responses: 'redact' as const };
    await store.dlp.put(beta, dlp);
    t.same(await store.dlp.get(beta), { ...dlp, source: 'api' });
    t.same((await store.sync.snapshot(beta))?.config.dlp, { detectors: { email: 'block' }, custom: [{ name: 'code', pattern: 'PRJ-[0-9]{6}', action: 'redact' }], responses: 'redact' });
    await store.limits.put(beta, { perUser: { requestsPerMinute: 5 } });
    t.same(await store.limits.get(beta), { rateLimits: { perUser: { requestsPerMinute: 5 } }, source: 'api' });
    t.same((await store.limits.get(acme)).rateLimits, {}, "another tenant's limits are untouched");
    await store.budget.put(beta, { monthlyUsd: 25 });
    t.same(await store.budget.get(beta), { budget: { monthlyUsd: 25, alertThresholds: [50, 80, 100], defaultMaxTokens: 4096 }, source: 'api' });
    t.same((await store.sync.snapshot(beta))?.config.budget, { monthlyUsd: 25, alertThresholds: [50, 80, 100], defaultMaxTokens: 4096 });
    await store.budget.put(beta, null);
    t.same((await store.budget.get(beta)).budget, null);
  });

  t.test('operator door: create with first owner and key, list, disable', async (t) => {
    const store = await open(t, contractConfig());
    const created = await store.operator.create({ id: 'gamma', plan: 'enterprise', owner: 'gina' });
    t.match(created, { tenant: { id: 'gamma', plan: 'enterprise', disabled: false, source: 'api' }, owner: { id: 'gina', role: 'owner' }, key: { user: 'gina' } });
    const gamma = mintTenantScope('gamma');
    t.equal((await store.sync.snapshot(gamma))?.config.apiKeys[0]?.sha256, hashApiKey(created.key.key.reveal()));
    await rejectsWith(t, store.operator.create({ id: 'gamma', plan: 'team', owner: 'x' }), 'conflict', 'id');
    await rejectsWith(t, store.operator.create({ id: 'Bad Id', plan: 'team', owner: 'x' }), 'invalid', 'id');
    t.same((await store.operator.list()).map((x) => [x.id, x.source]), [['acme', 'config'], ['beta', 'config'], ['gamma', 'api']]);
    await rejectsWith(t, store.operator.disable('acme'), 'managed_by_config');
    await rejectsWith(t, store.operator.disable('nope'), 'not_found');
    t.equal((await store.operator.disable('gamma')).disabled, true);
    t.equal((await store.sync.snapshot(gamma))?.tenant.disabled, true);
  });

  t.test('a write bumps the version and has called local listeners when it resolves', async (t) => {
    const store = await open(t, contractConfig());
    const seen: string[] = [];
    const stop = store.sync.onChange((id) => {
      seen.push(id);
    });
    const before = (await store.sync.versions()).get('beta') ?? 0;
    await store.users.create(beta, { id: 'erin', role: 'member' });
    t.same(seen, ['beta']);
    t.ok(((await store.sync.versions()).get('beta') ?? 0) > before);
    stop();
    await store.users.create(beta, { id: 'fay', role: 'member' });
    t.same(seen, ['beta'], 'unsubscribed');
  });

  t.test('re-applying the YAML (reload): removed config rows go, API rows stay, a removed tenant is disabled', async (t) => {
    const store = await open(t, contractConfig());
    await store.users.create(acme, { id: 'dave', role: 'member' });
    const reloaded = parseConfig({ tenants: [{ id: 'acme', providers: { demo: { type: 'demo' } }, users: [{ id: 'alice', role: 'owner' }] }] });
    await store.applyConfig(reloaded);
    t.same((await store.users.list(acme)).map((u) => [u.id, u.source]), [['alice', 'config'], ['dave', 'api']]);
    t.same(await store.keys.list(acme), [], 'the YAML key is gone');
    t.equal((await store.dlp.get(acme)).source, 'api', 'DLP no longer declared: the API owns it');
    t.equal((await store.sync.snapshot(beta))?.tenant.disabled, true);
    await store.applyConfig(contractConfig());
    t.equal((await store.sync.snapshot(beta))?.tenant.disabled, false, 'declared again: served again');
  });
}
