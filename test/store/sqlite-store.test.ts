import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../proxy/config/load-config.js';
import { Secret } from '../../proxy/identity/secret.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { openTenantStore } from '../../proxy/store/open-store.js';
import { contractConfig, MASTER_KEY, storeContract } from './store-contract.js';

const logger = createLogger({ level: 'silent' });

t.test('store contract on SQLite', (t) => {
  storeContract(t, async (t, config, env = {}) => {
    const store = await openTenantStore({ config: parseConfig({ ...config, store: { kind: 'sqlite', path: ':memory:' } }), logger, env });
    t.teardown(() => store.close());
    return store;
  });
  t.end();
});

t.test('the SQLite file holds provider keys only encrypted, and survives a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wj-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = contractConfig({ audit: { dir } });
  const env = { WORKJET_MASTER_KEY: MASTER_KEY };
  const first = await openTenantStore({ config, logger, env });
  await first.providers.put(mintTenantScope('beta'), 'openai', { type: 'openai', apiKey: new Secret('sk-canary-7f3a9c-in-sqlite') });
  await first.close();
  t.ok(readdirSync(dir).includes('workjet.db'), 'the default path is <audit.dir>/workjet.db');
  const bytes = readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
  t.notOk(bytes.includes('sk-canary-7f3a9c'), 'no clear-text provider key in the database files');
  t.notOk(bytes.includes('sk-yaml-declared-provider-key'), 'a YAML provider key is never written to the database');
  t.ok(bytes.includes('wjk1:'), 'the sealed envelope is there');

  const second = await openTenantStore({ config, logger, env });
  t.teardown(() => second.close());
  t.equal((await second.sync.snapshot(mintTenantScope('beta')))?.config.providers['openai']?.apiKey, 'sk-canary-7f3a9c-in-sqlite');
  const wrongKey = await openTenantStore({ config, logger, env: { WORKJET_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') } });
  t.teardown(() => wrongKey.close());
  t.equal((await wrongKey.sync.snapshot(mintTenantScope('beta')))?.config.providers['openai']?.apiKey, undefined, 'another master key does not open it');
});
