import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../../proxy/config/schema.js';
import { parseConfig } from '../../proxy/config/load-config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../proxy/server/gateway.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { generateApiKey, hashApiKey } from '../../proxy/identity/api-keys.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const POLICY_BUNDLE = join(REPO_ROOT, 'policies/build/bundle.tar.gz');

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RunningGateway {
  readonly gateway: Gateway;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `http://127.0.0.1:<port>/v1`, what an OpenAI SDK takes as baseURL. */
  readonly baseURL: string;
  readonly auditDir: string;
  /** Every log line the gateway wrote (JSON strings). */
  readonly logs: string[];
  close(): Promise<void>;
}

/** A fresh API key and the config entry that stores its hash. */
export function makeKey(id: string, user: string): { key: string; entry: { id: string; user: string; sha256: string } } {
  const key = generateApiKey();
  return { key, entry: { id, user, sha256: hashApiKey(key) } };
}

/**
 * Starts the real gateway in-process on 127.0.0.1, port 0, with its audit data in a temp dir.
 * `raw` is a config object as it would be in the YAML file; omitted sections take the defaults.
 */
export async function startGateway(t: Teardown, raw: Record<string, unknown>, options: GatewayOptions = {}): Promise<RunningGateway> {
  const auditDir = mkdtempSync(join(tmpdir(), 'wj-gw-'));
  const input = {
    ...raw,
    server: { host: '127.0.0.1', port: 0, ...(raw['server'] as object | undefined) },
    policy: { bundle: POLICY_BUNDLE, ...(raw['policy'] as object | undefined) },
    audit: { dir: auditDir, groupCommitMs: 1, ...(raw['audit'] as object | undefined) },
  };
  // The same validation as a config file: structure and every cross-reference.
  const config: GatewayConfig = parseConfig(input);
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void logs.push(s) } });
  const gateway = await createGateway(config, { logger, repoRoot: REPO_ROOT, defaultMetrics: false, ...options });
  const address = await gateway.listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${address.port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
    rmSync(auditDir, { recursive: true, force: true });
  };
  t.teardown(close);
  return { gateway, origin, baseURL: `${origin}/v1`, auditDir, logs, close };
}
