import type { AdminAuditRecorder } from './admin-action.js';
import type { AuditLog } from './audit-log.js';

/**
 * Adapts the audit log to the admin router's recorder: every admin call becomes one event record
 * in the caller's tenant partition (or `_unauthenticated` when the credential was not accepted).
 * Rejects with `audit_unavailable` like model requests, so the router answers 503.
 */
export function createAdminAuditRecorder(audit: AuditLog): AdminAuditRecorder {
  return {
    async recordAdminAction(entry) {
      await audit.appendEvent(entry.principal?.scope ?? null, {
        action: entry.action,
        ...(entry.principal ? { principal: entry.principal } : {}),
        requestId: entry.requestId,
        route: entry.path,
        status: entry.status,
        ...(entry.errorCode ? { errorCode: entry.errorCode } : {}),
        ...(entry.decision ? { decision: entry.decision } : {}),
        latencyMs: entry.latencyMs,
        details: {
          method: entry.method,
          // before → after as JSON text (audit details hold scalars); the admin layer has left secrets out.
          ...(entry.change ? { target: entry.change.target, before: JSON.stringify(entry.change.before ?? null), after: JSON.stringify(entry.change.after ?? null) } : {}),
        },
      });
    },
  };
}
