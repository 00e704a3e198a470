import type { Logger } from 'pino';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SessionVerifier } from '../identity/session-verifier.js';
import type { GatewayServices } from './build-services.js';
import type { SideRouter } from './request-handler.js';
import { createAdminRouter } from '../admin/admin-router.js';
import { CONFIG_ENDPOINTS } from '../admin/config-endpoints.js';
import { usageEndpoints } from '../admin/usage-endpoints.js';
import type { AdminEndpoint } from '../admin/admin-endpoint.js';
import { listAuditRecords, getAuditRecord } from '../admin/audit-handlers.js';
import { createAdminAuditRecorder } from '../audit/admin-audit-recorder.js';
import { enforceDecision } from '../policy/authorize-action.js';
import { buildPolicyInput } from '../policy/policy-input.js';
import { PolicyError } from '../policy/policy-engine.js';
import type { PolicyDecision } from '../core/vocabulary.js';
import { isPolicyAction } from '../policy/actions.js';
import { GatewayError } from '../errors/gateway-error.js';

/** The admin API: endpoints, the policy as the one authorizer, the audit log as the recorder. */
export function buildAdminRouter(input: { logger: Logger; registry: TenantRegistry; sessions: SessionVerifier | undefined; services: GatewayServices }): SideRouter {
  const { logger, registry, sessions, services } = input;
  const auditEndpoints: AdminEndpoint[] = [
    { method: 'GET', path: '/admin/v1/audit', action: 'audit.read', resourceType: 'audit', handle: (call) => listAuditRecords(services.audit.reader, call.tenant.scope, call.query) },
    { method: 'GET', path: '/admin/v1/audit/:logId', action: 'audit.read', resourceType: 'audit', handle: (call) => getAuditRecord(services.audit.reader, call.tenant.scope, call.params['logId'] ?? '') },
  ];
  return createAdminRouter({
    endpoints: [...CONFIG_ENDPOINTS, ...usageEndpoints(services.limits.ledger), ...auditEndpoints],
    registry,
    sessions,
    logger,
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
