import { trustedBaseUrls } from '../providers/trusted-base-urls.js';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SessionVerifier } from '../identity/session-verifier.js';
import type { RouteKind } from '../core/vocabulary.js';
import type { Pipeline } from './run-request.js';
import type { GatewayServices } from './build-services.js';
import { createIdentifyStage } from '../pipeline/stages/identify.js';
import { createParseStage } from '../pipeline/stages/parse.js';
import { createAuthorizeStage } from '../pipeline/stages/authorize.js';
import { createDlpStage } from '../pipeline/stages/dlp.js';
import { sharedScanPool } from '../dlp/scan-pool.js';
import { createLimitStage } from '../pipeline/stages/limit.js';
import { createBudgetStage } from '../pipeline/stages/budget.js';
import { createRouteStage } from '../pipeline/stages/route.js';
import { createForwardStage } from '../pipeline/stages/forward.js';
import { createSettleStage } from '../pipeline/stages/settle.js';
import { createAuditStage } from '../pipeline/stages/audit.js';
import { createListModelsStage } from '../pipeline/stages/list-models.js';
import { createResponseDlpFilter } from '../pipeline/response-dlp.js';
import { CircuitBreakers, endpointLabels } from '../providers/circuit-breaker.js';
import { createAssistantStage } from '../pipeline/stages/assistant.js';
import { createSkillStage } from '../pipeline/stages/skill.js';
import { SkillCache } from '../skills/skill-cache.js';
import type { TenantStore } from '../store/tenant-store.js';

/**
 * The named chain of every route, in DESIGN.md's order. Adding a stage is adding a file and a
 * line here. Settle and audit are finals: they run after success, failure and disconnect.
 */
export function buildPipelines(input: {
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  registry: TenantRegistry;
  sessions: SessionVerifier | undefined;
  services: GatewayServices;
  /** Skills are read from it once per tenant and served from memory (skill-cache.ts). */
  store: TenantStore;
}): Record<RouteKind, Pipeline> {
  const { config, logger, metrics, registry, sessions, services } = input;
  const identify = createIdentifyStage({ registry, sessions });
  const audit = createAuditStage({ audit: services.audit, logger, pricing: config.pricing });
  const breakers = new CircuitBreakers({ ...config.upstream.circuitBreaker, onShortCircuit: (endpoint) => metrics.circuitShortCircuits.inc(endpointLabels(endpoint)) });
  metrics.watchCircuits(() => breakers.snapshot().map(({ endpoint, state }) => ({ ...endpointLabels(endpoint), state })));
  const settle = createSettleStage({ ledger: services.limits.ledger, rateLimits: services.limits.rateLimits, registry, pricing: config.pricing, logger });
  const model: Pipeline = {
    stages: [
      identify,
      createAssistantStage(),
      createParseStage({ registry, maxBodyBytes: config.server.maxBodyBytes, maxJsonDepth: config.server.maxJsonDepth }),
      createAuthorizeStage({ engine: services.policy, registry, logger }),
      createSkillStage({ skills: new SkillCache(input.store) }),
      createDlpStage({
        registry,
        logger,
        onFinding: (tenant, f) => metrics.dlpFindings.inc({ tenant, detector: f.detector, action: f.action }),
        ...(config.server.dlpWorkers === 0
          ? {}
          : {
              offload: {
                minBytes: config.server.dlpOffloadBytes,
                // A broken worker must not fail requests: scan on the event loop instead (and say so).
                scan: (dlp, route, body) =>
                  sharedScanPool(config.server.dlpWorkers)
                    .scan(dlp, route, body)
                    .catch((err: unknown) => {
                      logger.warn({ err }, 'DLP scan worker failed; scanning on the event loop');
                      return dlp.scanRequest(route, body);
                    }),
              },
            }),
      }),
      createLimitStage({ store: services.limits.rateLimits, registry, logger, failMode: config.redis?.failMode ?? 'closed', onFailureModeAllowed: () => metrics.failureModeAllowed.inc() }),
      createBudgetStage({
        ledger: services.limits.ledger,
        registry,
        pricing: config.pricing,
        logger,
        onAlert: (scope, alert) => {
          metrics.budgetAlerts.inc({ tenant: scope.tenantId, threshold: String(alert.threshold) });
          void services.audit
            .appendEvent(scope, { action: 'budget.alert', details: { ...alert } })
            .catch((err: unknown) => logger.error({ err, tenant: scope.tenantId }, 'budget alert audit record failed'));
        },
      }),
      createRouteStage({ registry }),
      createForwardStage({
        pool: services.pool,
        logger,
        upstream: config.upstream,
        captureContent: config.audit.includeContent,
        breakers,
        responseFilter: createResponseDlpFilter(registry),
        trustedBaseUrls: trustedBaseUrls(config),
        maxJsonDepth: config.server.maxJsonDepth,
      }),
    ],
    finals: [settle, audit],
  };
  const models: Pipeline = {
    stages: [identify, createListModelsStage({ registry, engine: services.policy, startedAt: Date.now() })],
    finals: [audit],
  };
  return { chat: model, responses: model, embeddings: model, messages: model, models };
}
