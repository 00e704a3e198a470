import { ConfigError } from '../config/config-error.js';
import { loadConfig, resolveConfigPath } from '../config/load-config.js';

/**
 * `npm run config:check -- [--config FILE]`: validates a config file the way the gateway does
 * at start (same env interpolation) and exits 1 listing every problem, or 0.
 */
function main(argv: readonly string[]): number {
  let path: string;
  try {
    path = resolveConfigPath(argv, process.env);
    const config = loadConfig({ path, env: process.env });
    const ids = config.tenants.map((tenant) => tenant.id).join(', ');
    process.stdout.write(`${path}: OK (${config.tenants.length} tenant${config.tenants.length === 1 ? '' : 's'}: ${ids})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const where = err.file ?? 'config';
    const count = err.issues.length;
    process.stderr.write(`${where}: invalid configuration (${count} problem${count === 1 ? '' : 's'})\n${err.message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
