import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SessionVerifier } from '../identity/session-verifier.js';
import type { GatewayServices } from './build-services.js';
import type { SideRouter } from './request-handler.js';
import { createAdminRouter } from '../admin/admin-router.js';
import { usageEndpoints } from '../admin/usage-endpoints.js';
import type { AdminEndpoint } from '../admin/admin-endpoint.js';
import { listAuditRecords, getAuditRecord } from '../admin/audit-handlers.js';
import { keyEndpoints } from '../admin/key-endpoints.js';
import { userEndpoints } from '../admin/user-endpoints.js';
import { routingEndpoints } from '../admin/routing-endpoints.js';
import { settingsEndpoints } from '../admin/settings-endpoints.js';
import { skillEndpoints } from '../admin/skill-endpoints.js';
import { marketplaceEndpoints } from '../admin/marketplace-endpoints.js';
import { buildOpenApi } from '../admin/admin-openapi.js';
import { OPERATOR_ROUTES } from '../admin/operator-routes.js';
import { createAdminAuditRecorder } from '../audit/admin-audit-recorder.js';
import { enforceDecision } from '../policy/authorize-action.js';
import { buildPolicyInput } from '../policy/policy-input.js';
import { PolicyError } from '../policy/policy-engine.js';
import type { PolicyDecision } from '../core/vocabulary.js';
import { isPolicyAction } from '../policy/actions.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { TenantStore } from '../store/tenant-store.js';

/** Every admin endpoint, store-backed where the data lives in the tenant store. */
export function adminEndpoints(store: TenantStore, services: Pick<GatewayServices, 'audit' | 'limits'>, config: Pick<GatewayConfig, 'upstream'>): AdminEndpoint[] {
  const auditEndpoints: AdminEndpoint[] = [
    { method: 'GET', path: '/admin/v1/audit', action: 'audit.read', resourceType: 'audit', summary: "The tenant's audit records of one UTC day, newest first.", queryParams: ['date', 'cursor', 'limit'], answerStatus: 200, handle: (call) => listAuditRecords(services.audit.reader, call.tenant.scope, call.query) },
    { method: 'GET', path: '/admin/v1/audit/:logId', action: 'audit.read', resourceType: 'audit', summary: 'One audit record of the tenant.', answerStatus: 200, handle: (call) => getAuditRecord(services.audit.reader, call.tenant.scope, call.params['logId'] ?? '') },
  ];
  return [
    ...keyEndpoints(store),
    ...userEndpoints(store),
    ...routingEndpoints(store, config.upstream.allowedBaseUrls),
    ...settingsEndpoints(store, services.limits.ledger),
    ...usageEndpoints(services.limits.ledger),
    ...skillEndpoints(store), ...marketplaceEndpoints(store),
    ...auditEndpoints,
  ];
}

/** The admin API: endpoints, the policy as the one authorizer, the audit log as the recorder. */
export function buildAdminRouter(input: { logger: Logger; registry: TenantRegistry; sessions: SessionVerifier | undefined; services: GatewayServices; config: GatewayConfig; store: TenantStore }): SideRouter {
  const { logger, registry, sessions, services, config, store } = input;
  const endpoints = adminEndpoints(store, services, config);
  return createAdminRouter({
    endpoints,
    openApi: JSON.stringify(buildOpenApi(endpoints, OPERATOR_ROUTES)),
    registry,
    sessions,
    logger,
    maxBodyBytes: config.server.maxBodyBytes,
    audit: createAdminAuditRecorder(services.audit),
    authorize: (req, onDecision) => {
      if (!isPolicyAction(req.action)) throw new GatewayError('internal_error', 'Unknown admin action.');
      // Decide and enforce in two steps (as the authorize stage does) so the audit record of a
      // denied call carries the decision whose id the client got in x-workjet-decision-id.
      const input = buildPolicyInput({ ...req, action: req.action });
      let decision: PolicyDecision;
      try {
        decision = services.policy.decide(input);
      } catch (err) {
        if (err instanceof PolicyError) onDecision({ id: err.decisionId, allow: false, reasons: ['policy evaluation failed'], wouldDeny: false });
        throw err;
      }
      onDecision(decision);
      return enforceDecision(decision, input, registry.get(req.principal.scope).config.policy.mode, logger);
    },
  });
}
