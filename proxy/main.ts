import { createHash } from 'node:crypto';
import { loadConfig, resolveConfigPath } from './config/load-config.js';
import { ConfigError } from './config/config-error.js';
import { createLogger } from './observability/logger.js';
import { createGateway } from './server/gateway.js';
import { DEMO_API_KEY } from './cli/demo-key.js';
import { reloadConfigFile, watchConfigFile } from './server/config-reload.js';

/** `--host ADDR` overrides `server.host` (the container image listens on 0.0.0.0 with the demo config). */
function hostFlag(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--host');
  const value = i >= 0 ? argv[i + 1] : undefined;
  return value !== undefined && !value.startsWith('--') ? value : undefined;
}

/** `npm start [-- --config FILE] [--host ADDR] [--watch-policies] [--watch-config]`: load, validate, build, listen; SIGHUP reloads the config; SIGTERM drains. */
async function main(argv: readonly string[]): Promise<void> {
  const path = resolveConfigPath(argv, process.env);
  let config;
  try {
    config = loadConfig({ path, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`workjet-gateway: invalid configuration in ${path}:\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logging.level, asyncStdout: true });
  const gateway = await createGateway(config, { logger, watchPolicies: argv.includes('--watch-policies') });
  const address = await gateway.listen(undefined, hostFlag(argv));
  const origin = `http://${address.address}:${address.port}`;
  logger.info({ config: path, url: origin, tenants: config.tenants.map((t) => t.id) }, 'workjet gateway listening');

  const demoHash = createHash('sha256').update(DEMO_API_KEY).digest('hex');
  if (gateway.registry.findKeyByHash(demoHash)) {
    // The demo key is public (documented in README) and only opens the demo tenant.
    process.stdout.write(
      `\nWorkjet Gateway is running on ${origin}\n` +
        `Demo API key (public, demo tenant only): ${DEMO_API_KEY}\n` +
        `Try:\n  curl ${origin}/v1/chat/completions -H "Authorization: Bearer ${DEMO_API_KEY}" -H "content-type: application/json" -d '{"model":"fast","messages":[{"role":"user","content":"Hello"}]}'\n\n`,
    );
  }

  // SIGHUP (and, opt-in, a change of the file) re-reads and validates the config, then swaps it in.
  // One reload at a time, in order: a second SIGHUP during a reload runs after it.
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (trigger: string): void => {
    reloading = reloading.then(() => reloadConfigFile({ path, env: process.env, gateway, logger, trigger }));
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  const stopWatch = argv.includes('--watch-config') ? watchConfigFile(path, () => reload('file-watch')) : () => undefined;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopWatch();
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`workjet-gateway: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
