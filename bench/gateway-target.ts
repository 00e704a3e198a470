import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../proxy/config/load-config.js';
import { createLogger } from '../proxy/observability/logger.js';
import { createGateway } from '../proxy/server/gateway.js';
import { requireEnv, serveAsChild } from './target-child.js';

// The repository root (policies/, scripts/): two up from dist/bench/, one up from bench/ under tsx.
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), import.meta.url.endsWith('.ts') ? '..' : '../..');

// Child entry: the real gateway, built from BENCH_GATEWAY_CONFIG (a config object as JSON, the
// same shape as the YAML file) through the same validation `npm start` uses.
serveAsChild(async () => {
  const config = parseConfig(JSON.parse(requireEnv('BENCH_GATEWAY_CONFIG')) as unknown, { file: 'bench config' });
  // Logs go to this process's stdout, which the bench discards: the gateway pays for its JSON log
  // lines as it would in production, without the bench reading them.
  const logger = createLogger({ level: config.logging.level });
  const gateway = await createGateway(config, { logger, repoRoot: REPO_ROOT, defaultMetrics: true });
  const address = await gateway.listen(0, '127.0.0.1');
  return { port: address.port, close: () => gateway.close() };
});
