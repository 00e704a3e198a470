import type { DlpFinding, RouteKind } from '../core/vocabulary.js';
import type { SseEvent, SseTransform } from '../providers/sse-types.js';
import { streamErrorEvent } from '../client-apis/client-formats.js';
import { ResponseBlocked, ResponseChannels } from './response-channels.js';
import { ChatStreamFilter } from './stream-chat.js';
import { MessagesStreamFilter } from './stream-messages.js';
import { ResponsesStreamFilter } from './stream-responses.js';
import type { TenantDlp } from './tenant-dlp.js';

export { redactResponseBody, type ResponseBodyScan } from './response-body.js';

export interface ResponseDlpOptions {
  /** Called with the current `response` findings whenever they change (for ctx.findings / audit). */
  readonly onFindings?: (findings: DlpFinding[]) => void;
  /** Called once when block mode stops the stream, with the detectors that matched. */
  readonly onBlock?: (detectors: readonly string[]) => void;
}

/** The response-DLP stream transform, with what it found so far. */
export interface ResponseDlpTransform extends SseTransform {
  /** `direction: 'response'` findings so far. */
  findings(): DlpFinding[];
  /** True once block mode stopped the stream. */
  readonly blocked: boolean;
}

/** The in-stream error that replaces the rest of a blocked stream, in the client API's shape. */
function blockedEvent(route: RouteKind, detectors: readonly string[], sequenceNumber: number | undefined): SseEvent {
  const message = `Response blocked by data loss prevention: ${detectors.join(', ')}`;
  return streamErrorEvent(route, { code: 'dlp_blocked', message, param: null }, sequenceNumber === undefined ? {} : { sequenceNumber });
}

function lastSequenceNumber(events: readonly SseEvent[], fallback: number | undefined): number | undefined {
  let seq = fallback;
  for (const event of events) {
    const at = event.data.indexOf('"sequence_number":');
    if (at >= 0) seq = Number.parseInt(event.data.slice(at + 18), 10);
  }
  return seq;
}

/**
 * Response-side DLP on a stream already in the client's API format (`route`): the text deltas
 * of OpenAI chat, Responses and Anthropic streams go through per-text stream redactors that
 * hold back only what could still become a match, so a secret split across events is caught.
 * `redact`: matches become `[REDACTED:<detector>]`. `block`: at the first match the transform
 * emits one error event (see `blockedEvent`) and swallows everything after it, including the
 * terminal frames — the stream then ends without `[DONE]` / `message_stop` / `response.completed`,
 * and no matched text was sent. `off` (or no detectors): events pass through untouched.
 */
export function createResponseDlpTransform(dlp: TenantDlp, route: RouteKind, options: ResponseDlpOptions = {}): ResponseDlpTransform {
  const channels = new ResponseChannels(dlp);
  const active = dlp.responseMode !== 'off' && dlp.enabled;
  const filter = route === 'chat' ? new ChatStreamFilter(channels) : route === 'messages' ? new MessagesStreamFilter(channels) : route === 'responses' ? new ResponsesStreamFilter(channels) : undefined;
  let blocked = false;
  let reported = 0;
  let sequence: number | undefined;

  const report = (): void => {
    if (channels.version !== reported) {
      reported = channels.version;
      options.onFindings?.(channels.findings());
    }
  };
  const run = (step: () => SseEvent[]): SseEvent[] => {
    if (blocked) return [];
    try {
      const out = step();
      if (route === 'responses') sequence = lastSequenceNumber(out, sequence);
      return out;
    } catch (err) {
      if (!(err instanceof ResponseBlocked)) throw err;
      blocked = true;
      options.onBlock?.(err.detectors);
      return [blockedEvent(route, err.detectors, sequence === undefined ? undefined : sequence + 1)];
    } finally {
      report();
    }
  };

  return {
    onEvent: (event) => (active && filter ? run(() => filter.onEvent(event)) : [event]),
    onEnd: () => (active && filter ? run(() => filter.onEnd()) : []),
    findings: () => channels.findings(),
    get blocked() {
      return blocked;
    },
  };
}
