import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { PolicyEngine } from '../policy/policy-engine.js';
import { watchPolicySources } from '../policy/source-watcher.js';
import { createAuditLog, type AuditLog } from '../audit/audit-log.js';
import { createLimitStores, type LimitStores } from '../limits/create-limit-stores.js';
import { UpstreamPool } from '../providers/upstream-pool.js';
import type { ReadinessCheck } from './ops-routes.js';

/** The long-lived components one gateway instance owns; `close()` releases all of them. */
export interface GatewayServices {
  readonly policy: PolicyEngine;
  readonly audit: AuditLog;
  readonly limits: LimitStores;
  readonly pool: UpstreamPool;
  readonly readiness: readonly ReadinessCheck[];
  close(): Promise<void>;
}

/** Opens the policy bundle, the audit spool, the limit stores and the upstream pools, in an order that cleans up on failure. */
export async function buildServices(input: {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  registry: TenantRegistry;
  repoRoot: string;
  watchPolicies: boolean;
}): Promise<GatewayServices> {
  const { config, logger, metrics } = input;
  const policy = await PolicyEngine.load({
    bundlePath: resolve(config.policy.bundle),
    maxMemoryPages: config.policy.maxMemoryPages,
    logger: logger.child({ component: 'policy' }),
    onReload: (event) => metrics.policyReloads.inc({ result: event.result }),
  });
  if (config.policy.watchBundle) policy.watch();
  const stopBundleWatch = () => policy.close();
  const stopSourceWatch = input.watchPolicies ? watchPolicySources({ repoRoot: input.repoRoot, bundlePath: resolve(config.policy.bundle), logger: logger.child({ component: 'policy-watch' }) }) : () => undefined;
  let audit: AuditLog | undefined;
  let limits: LimitStores | undefined;
  try {
    audit = await createAuditLog({ config: config.audit, logger });
    limits = createLimitStores(config, logger);
  } catch (err) {
    stopBundleWatch();
    stopSourceWatch();
    await audit?.close();
    throw err;
  }
  const pool = new UpstreamPool({ timeouts: config.upstream });
  const auditLog = audit;
  const limitStores = limits;
  const statsTimer = setInterval(() => {
    const stats = auditLog.stats();
    metrics.auditSpoolRecords.set(stats.pendingRecords);
    metrics.auditOldestUndeliveredSeconds.set(stats.oldestUndeliveredAgeMs / 1000);
  }, 5000);
  statsTimer.unref();

  return {
    policy,
    audit: auditLog,
    limits: limitStores,
    pool,
    readiness: [
      { name: 'policy', check: () => policy.revision.length > 0 },
      { name: 'limits', check: () => limitStores.isHealthy() },
    ],
    async close() {
      clearInterval(statsTimer);
      stopBundleWatch();
      stopSourceWatch();
      await pool.close();
      await limitStores.close();
      await auditLog.close();
    },
  };
}
