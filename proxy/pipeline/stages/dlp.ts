import type { Logger } from 'pino';
import type { Stage } from '../stage.js';
import type { DlpFinding } from '../../core/vocabulary.js';
import type { TenantScope } from '../../identity/tenant-scope.js';
import type { RequestScan, TenantDlp } from '../../dlp/tenant-dlp.js';
import type { RouteKind } from '../../core/vocabulary.js';
import { GatewayError } from '../../errors/gateway-error.js';

/** What the dlp stage needs from the tenant registry: the tenant's compiled DLP. */
export interface DlpTenantSource {
  get(scope: TenantScope): { readonly dlp: TenantDlp };
}

export interface DlpStageDeps {
  readonly registry: DlpTenantSource;
  readonly logger: Logger;
  /** Called once per finding (metrics). */
  readonly onFinding?: (tenantId: string, finding: DlpFinding) => void;
  /** Scans bodies of at least `minBytes` off the event loop (a worker pool); smaller ones are scanned inline. */
  readonly offload?: { readonly minBytes: number; scan(dlp: TenantDlp, route: RouteKind, body: Readonly<Record<string, unknown>>): Promise<RequestScan> };
}

/**
 * dlp: scans every prompt part (large bodies on the scan worker pool) of the body about to be forwarded with the caller's tenant's
 * detectors. Writes `ctx.findings` (always; `[]` when clean). A `block` match → 400
 * `dlp_blocked` naming the detectors (never the matched text); `redact` → the forwarded body
 * is a copy with `[REDACTED:<detector>]` in place of each match; `log` → forwarded unchanged.
 */
export function createDlpStage(deps: DlpStageDeps): Stage {
  return {
    name: 'dlp',
    async run(ctx) {
      if (ctx.route === 'models') {
        ctx.findings = [];
        return;
      }
      const dlp = deps.registry.get(ctx.principal.scope).dlp;
      // Scan what will be forwarded: an earlier rewrite (a skill's system prompt) is prompt text too.
      // A large body is scanned on a worker: its cost (~1 s per MB of hostile text) must not stall other tenants.
      const offload = deps.offload !== undefined && dlp.enabled && ctx.request.rawBytes >= deps.offload.minBytes;
      const result = offload ? await (deps.offload as NonNullable<DlpStageDeps['offload']>).scan(dlp, ctx.route, ctx.outgoingBody) : dlp.scanRequest(ctx.route, ctx.outgoingBody);
      ctx.findings = result.findings;
      if (result.findings.length === 0) return;
      for (const finding of result.findings) deps.onFinding?.(ctx.principal.tenantId, finding);
      deps.logger.debug({ requestId: ctx.requestId, tenant: ctx.principal.tenantId, findings: result.findings }, 'dlp findings');
      if (result.blockedBy.length > 0) {
        throw new GatewayError('dlp_blocked', `Request blocked by data loss prevention: ${result.blockedBy.join(', ')}`);
      }
      if (result.redactedBody) ctx.forwardBody = result.redactedBody;
    },
  };
}
