import type { RequestContext } from './context.js';
import type { DlpFinding } from '../core/vocabulary.js';
import type { SseTransform } from '../providers/sse-types.js';
import type { TenantScope } from '../identity/tenant-scope.js';
import { GatewayError } from '../errors/gateway-error.js';
import { createResponseDlpTransform, redactResponseBody } from '../dlp/response-filter.js';
import { ResponseBlocked, ResponseChannels } from '../dlp/response-channels.js';
import type { TenantDlp } from '../dlp/tenant-dlp.js';

/**
 * A tenant-wide filter over what forward sends back (response-side DLP): the glue between the
 * request context and the dlp library, which itself only sees text, a route and a callback.
 * Each hook returns undefined / the same body when the tenant does not scan responses.
 */
export interface ResponseFilter {
  streamTransform(ctx: RequestContext): SseTransform | undefined;
  filterBody(ctx: RequestContext, body: string): string;
  /** Redacts (or refuses) a plain text of the answer, e.g. a provider's error message. */
  filterText?(ctx: RequestContext, text: string): string;
}

/** What response DLP needs from the tenant registry. */
export interface ResponseDlpTenantSource {
  get(scope: TenantScope): { readonly dlp: TenantDlp };
}

/** Keeps the request's findings and replaces the response ones (they grow as a stream goes on). */
function setResponseFindings(ctx: RequestContext, response: readonly DlpFinding[]): void {
  const request = (ctx.peekFindings() ?? []).filter((f) => f.direction === 'request');
  ctx.findings = [...request, ...response];
}

function blockedError(detectors: readonly string[]): GatewayError {
  return new GatewayError('dlp_blocked', `Response blocked by data loss prevention: ${detectors.join(', ')}`);
}

function tenantDlp(registry: ResponseDlpTenantSource, ctx: RequestContext): TenantDlp | undefined {
  if (ctx.route !== 'chat' && ctx.route !== 'responses' && ctx.route !== 'messages') return undefined;
  const dlp = registry.get(ctx.principal.scope).dlp;
  return dlp.responseMode === 'off' || !dlp.enabled ? undefined : dlp;
}

/**
 * Response-side DLP as forward's tenant-wide response filter (`dlp.responses` per tenant).
 * Streams get a transform (findings land in `ctx.findings` with direction `response`; block
 * mode sets `ctx.error` to `dlp_blocked` and ends the stream with an error event). Complete
 * bodies are redacted, or refused with 400 `dlp_blocked` in block mode.
 */
export function createResponseDlpFilter(registry: ResponseDlpTenantSource): ResponseFilter {
  return {
    streamTransform(ctx: RequestContext): SseTransform | undefined {
      const dlp = tenantDlp(registry, ctx);
      if (!dlp) return undefined;
      return createResponseDlpTransform(dlp, ctx.route, {
        onFindings: (findings) => setResponseFindings(ctx, findings),
        onBlock: (detectors) => {
          ctx.error = blockedError(detectors);
        },
      });
    },
    filterBody(ctx: RequestContext, body: string): string {
      const dlp = tenantDlp(registry, ctx);
      if (!dlp) return body;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return body; // not JSON: nothing the walkers understand
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
      const result = redactResponseBody(dlp, ctx.route, parsed as Record<string, unknown>);
      if (result.findings.length > 0) setResponseFindings(ctx, result.findings);
      if (result.blockedBy.length > 0) throw blockedError(result.blockedBy);
      return result.body === parsed ? body : JSON.stringify(result.body);
    },
    filterText(ctx: RequestContext, text: string): string {
      const dlp = tenantDlp(registry, ctx);
      if (!dlp) return text;
      const channels = new ResponseChannels(dlp);
      try {
        const out = channels.redactPart({ path: [], text });
        const findings = channels.findings();
        if (findings.length > 0) setResponseFindings(ctx, findings);
        return out;
      } catch (err) {
        if (err instanceof ResponseBlocked) throw blockedError(err.detectors);
        throw err;
      }
    },
  };
}
