import type { DlpFinding, RouteKind } from '../core/vocabulary.js';
import { clientFormat } from '../client-apis/client-formats.js';
import { applyPartEdits, type PartEdit, type PromptPart } from '../client-apis/prompt-parts.js';
import { ResponseBlocked, ResponseChannels } from './response-channels.js';
import type { TenantDlp } from './tenant-dlp.js';

export interface ResponseBodyScan {
  /** The body to send: a redacted copy when something was redacted, else the input object. */
  readonly body: Readonly<Record<string, unknown>>;
  /** `direction: 'response'` findings. */
  readonly findings: DlpFinding[];
  /** Non-empty in block mode when a detector matched: the body must not be sent. */
  readonly blockedBy: string[];
}

/**
 * Response-side DLP for a complete JSON answer (chat, Responses, Anthropic messages). With
 * `dlp.responses: redact` each match in the model's text (and tool-call arguments) becomes
 * `[REDACTED:<detector>]` in a copy; with `block` a match yields `blockedBy` and no body change;
 * with `off` nothing is scanned.
 */
export function redactResponseBody(dlp: TenantDlp, route: RouteKind, body: Readonly<Record<string, unknown>>): ResponseBodyScan {
  if (dlp.responseMode === 'off' || !dlp.enabled) return { body, findings: [], blockedBy: [] };
  const parts: PromptPart[] = [];
  clientFormat(route)?.responseParts(body, parts);
  const channels = new ResponseChannels(dlp);
  const edits: PartEdit[] = [];
  try {
    for (const part of parts) {
      const redacted = channels.redactPart(part);
      if (redacted !== part.text) edits.push({ path: part.path, text: redacted });
    }
  } catch (err) {
    if (err instanceof ResponseBlocked) return { body, findings: channels.findings(), blockedBy: [...err.detectors] };
    throw err;
  }
  return { body: edits.length === 0 ? body : applyPartEdits(body, edits), findings: channels.findings(), blockedBy: [] };
}
