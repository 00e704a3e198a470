import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../proxy/config/load-config.js';
import { Secret } from '../../proxy/identity/secret.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { openTenantStore } from '../../proxy/store/open-store.js';
import { runCli } from '../config/run-cli.js';

const logger = createLogger({ level: 'silent' });
const acme = mintTenantScope('acme');

t.test('npm run db:migrate and db:rotate-master-key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wj-dbcli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, `audit: { dir: ${JSON.stringify(dir)} }\ntenants:\n  - id: acme\n    users: [{ id: alice, role: owner }]\n`);
  const migrated = await runCli('proxy/cli/db.ts', ['migrate', '--config', file]);
  t.equal(migrated.status, 0, migrated.stderr);
  t.match(migrated.stdout, /store \(sqlite\) is at the latest schema/);

  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const config = loadConfig({ path: file, env: {} });
  const before = await openTenantStore({ config, logger, env: { WORKJET_MASTER_KEY: oldKey } });
  await before.providers.put(acme, 'openai', { type: 'openai', apiKey: new Secret('sk-rotate-me') });
  await before.close();

  const withoutPrevious = await runCli('proxy/cli/db.ts', ['rotate-master-key', '--config', file], { env: { WORKJET_MASTER_KEY: newKey } });
  t.equal(withoutPrevious.status, 1, 'a key the new master key cannot open is reported');
  t.match(withoutPrevious.stdout, /unreadable: 1/);
  t.match(withoutPrevious.stderr, /WORKJET_MASTER_KEY_PREVIOUS/);

  const rotated = await runCli('proxy/cli/db.ts', ['rotate-master-key', '--config', file], { env: { WORKJET_MASTER_KEY: newKey, WORKJET_MASTER_KEY_PREVIOUS: oldKey } });
  t.equal(rotated.status, 0, rotated.stderr);
  t.match(rotated.stdout, /re-sealed: 1, already under the current key: 0, unreadable: 0/);

  const after = await openTenantStore({ config, logger, env: { WORKJET_MASTER_KEY: newKey } });
  t.teardown(() => after.close());
  t.equal((await after.sync.snapshot(acme))?.config.providers['openai']?.apiKey, 'sk-rotate-me', 'the new key alone opens it');

  const bad = await runCli('proxy/cli/db.ts', ['migrate', '--config', file], { env: { WORKJET_MASTER_KEY: 'c2hvcnQ=' } });
  t.equal(bad.status, 1);
  t.match(bad.stderr, /WORKJET_MASTER_KEY must be 32 bytes/);
});
