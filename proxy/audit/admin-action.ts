import type { Principal, PolicyDecision } from '../core/vocabulary.js';

/**
 * What one admin API call leaves in the audit log, and the port that writes it. It lives in
 * audit/ (not admin/) so the recorder does not depend on its caller: admin imports this
 * contract, audit implements it.
 */

/** What a write changed, for the audit record: the target id and before → after (never a secret). */
export interface AdminChange {
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** One admin call as the router saw it. */
export interface AdminActionEntry {
  readonly principal: Principal | undefined;
  readonly requestId: string;
  readonly action: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly decision: PolicyDecision | undefined;
  readonly latencyMs: number;
  /** A successful write: target id and before → after, secrets already left out. */
  readonly change: AdminChange | undefined;
}

/** Writes one audit event per admin call; rejects with `audit_unavailable` when the log cannot. */
export interface AdminAuditRecorder {
  recordAdminAction(entry: AdminActionEntry): Promise<void>;
}
