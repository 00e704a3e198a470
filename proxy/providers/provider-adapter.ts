import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderType } from '../config/schema.js';
import type { Secret } from '../identity/secret.js';
import type { ProviderApi, RouteKind, TokenUsage } from '../core/vocabulary.js';
import type { SseEvent, SseTransform } from './sse-types.js';

/** One provider of one tenant, as forward needs it (structurally the registry's ResolvedProvider). */
export interface ProviderEndpoint {
  readonly name: string;
  readonly type: ProviderType;
  /** Undefined for `demo` (the loopback demo server's URL is used) or when the type's default applies. */
  readonly baseUrl: string | undefined;
  readonly apiKey: Secret | undefined;
  readonly anthropicVersion: string;
  /** Per-provider override of the first-byte and idle-body timeouts. */
  readonly timeoutMs: number | undefined;
}

/** A fully built upstream HTTP request. `headers` carry the tenant's provider key: never log them. */
export interface UpstreamRequest {
  readonly origin: string;
  /** Path plus query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly method: 'POST' | 'GET';
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

export interface BuildRequestInput {
  readonly route: RouteKind;
  readonly endpoint: ProviderEndpoint;
  /** Base URL to use (the endpoint's, or the demo server's). */
  readonly baseUrl: string;
  /** The provider's model name (replaces the client's tier name in the body). */
  readonly model: string;
  /** The body to forward (after DLP/budget rewrites). Never mutated: a fresh object is serialised. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  readonly clientHeaders: IncomingHttpHeaders;
}

/** Per-request stream state: usage capture, include_usage stripping, terminal/error detection. */
export interface StreamSession {
  /** First transform of the chain: captures usage and removes what the client did not ask for. */
  readonly transform: SseTransform;
  /** Usage seen so far; `estimated` when the final usage never arrived. Undefined when nothing is known. */
  usage(): TokenUsage | undefined;
  /** Frames the runner writes after audit (`[DONE]`, `message_stop`, `response.completed`). */
  isTerminal(event: SseEvent): boolean;
  /** An in-stream error event sent by the provider (after its HTTP 200). */
  isError(event: SseEvent): boolean;
}

export interface StreamOptions {
  /** The client itself asked for `stream_options.include_usage` (else the forced usage chunk is stripped). */
  readonly clientWantsUsage: boolean;
}

/**
 * One provider wire protocol. Adapters are stateless singletons; per-request state lives in
 * the StreamSession they open. An OpenAI-compatible provider reuses the OpenAI adapter.
 */
export interface ProviderAdapter {
  /** The wire API this provider speaks natively. */
  readonly api: ProviderApi;
  supports(route: RouteKind): boolean;
  buildRequest(input: BuildRequestInput): UpstreamRequest;
  /** Usage from a complete non-stream response body (parsed JSON). */
  parseUsage(route: RouteKind, body: unknown): TokenUsage | undefined;
  /** Completion text of a complete non-stream response (for `audit.includeContent`). */
  responseText(route: RouteKind, body: unknown): string;
  /** Completion text carried by one stream event (for `audit.includeContent`); '' when none. */
  eventText(route: RouteKind, event: SseEvent): string;
  openStream(route: RouteKind, options: StreamOptions): StreamSession;
  /**
   * True when an error answer that is not a 401/403 still means the provider refused the
   * tenant's key (Gemini answers a bad key with 400 `API_KEY_INVALID`). Absent: status decides.
   */
  refusesKey?(status: number, body: string): boolean;
}

/** What a non-2xx upstream status means for the gateway. */
export type UpstreamStatusClass = 'fallback' | 'provider_auth' | 'passthrough';

/**
 * 429, 408 and 5xx (incl. Anthropic's 529) may succeed elsewhere: try the next attempt.
 * 401/403 mean the tenant's provider key is wrong — the client's own key was fine, so it
 * becomes a 502. Any other 4xx is the client's mistake and passes through unchanged.
 */
export function classifyUpstreamStatus(status: number): UpstreamStatusClass {
  if (status === 429 || status === 408 || status >= 500) return 'fallback';
  if (status === 401 || status === 403) return 'provider_auth';
  return 'passthrough';
}
