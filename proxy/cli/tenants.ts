import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, resolveConfigPath } from '../config/load-config.js';
import { createLogger } from '../observability/logger.js';
import { openTenantStore } from '../store/open-store.js';
import { operatorActions } from '../admin/operator-routes.js';
import { fromStoreError } from '../admin/store-errors.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * `npm run tenants -- create|list|disable`: the operator's door on the command line, on the
 * store the config names (the same calls as `/operator/v1/tenants`). `create` prints the first
 * owner's key once; it is stored only as its SHA-256.
 */
const USAGE = `usage:
  npm run tenants -- create --id <tenant> --owner <user> [--plan team] [--config <file>] [--json]
  npm run tenants -- list [--config <file>] [--json]
  npm run tenants -- disable --id <tenant> [--config <file>]`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { id: { type: 'string' }, owner: { type: 'string' }, plan: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  if (command !== 'create' && command !== 'list' && command !== 'disable') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig({ path: resolveConfigPath(values.config ? ['--config', values.config] : [], process.env), env: process.env });
  const store = await openTenantStore({ config, logger: createLogger({ level: 'warn' }), env: process.env });
  try {
    if (command === 'create') {
      const created = await operatorActions.create(store.operator, { id: values.id, owner: values.owner, ...(values.plan ? { plan: values.plan } : {}) });
      if (values.json) process.stdout.write(`${JSON.stringify(created)}\n`);
      else process.stdout.write(`created tenant ${created.id} with owner ${created.owner}\nowner key (shown once, store it now): ${created.key}\n`);
    } else if (command === 'list') {
      const { data } = await operatorActions.list(store.operator);
      if (values.json) process.stdout.write(`${JSON.stringify(data)}\n`);
      else for (const t of data) process.stdout.write(`${t.id}\t${t.plan}\t${t.disabled ? 'disabled' : 'active'}\t${t.source}\n`);
    } else {
      if (!values.id) throw new GatewayError('invalid_request', '--id is required', { param: 'id' });
      const tenant = await operatorActions.disable(store.operator, values.id);
      process.stdout.write(`disabled tenant ${tenant.id}\n`);
    }
    return 0;
  } catch (thrown) {
    const err = fromStoreError(thrown);
    if (!(err instanceof GatewayError)) throw thrown;
    process.stderr.write(`${err.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 1;
  },
);
