import type { RouteKind, TokenUsage } from '../../core/vocabulary.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BuildRequestInput, ProviderAdapter, StreamSession, UpstreamRequest } from '../provider-adapter.js';
import { GATEWAY_USER_AGENT } from '../forwarded-headers.js';
import { upstreamTarget } from '../upstream-url.js';
import { isObject, tryParseJson } from '../json-fields.js';
import { geminiUsage } from './gemini-usage.js';
import { GeminiStreamSession } from './gemini-stream.js';

/** The API version prefix, unless the configured base URL already ends in one. */
function versionPrefix(baseUrl: string): string {
  const trimmed = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  return trimmed.endsWith('/v1beta') || trimmed.endsWith('/v1') ? '' : '/v1beta';
}

/** One `content` is `:embedContent`; a list of `requests` (one per input) is `:batchEmbedContents`. */
function embedMethod(body: Readonly<Record<string, unknown>>): string {
  return Array.isArray(body['requests']) ? ':batchEmbedContents' : ':embedContent';
}

/**
 * Google's bad-key answer (WIRE-GEMINI.md §5): 400 `INVALID_ARGUMENT` whose `details[]` carry an
 * `ErrorInfo` with reason `API_KEY_INVALID` — a key problem, not the client's request.
 */
function isKeyInvalid(body: string): boolean {
  if (body.indexOf('API_KEY_INVALID') === -1) return false;
  const parsed = tryParseJson(body);
  const error = isObject(parsed) ? parsed['error'] : undefined;
  const details = isObject(error) && Array.isArray(error['details']) ? error['details'] : [];
  return details.some((d) => isObject(d) && d['reason'] === 'API_KEY_INVALID');
}

/**
 * Google's native Gemini API (WIRE-GEMINI.md §1): `models/{model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` for streams, `:embedContent` / `:batchEmbedContents` for embeddings; the key travels in `x-goog-api-key` (never in
 * the URL, where access logs would keep it). Gemini is never a client API: every route reaches
 * it through a translator, which builds the body; the model is in the path, not the body.
 */
export const geminiAdapter: ProviderAdapter = {
  api: 'gemini',

  supports(route: RouteKind): boolean {
    return route === 'chat' || route === 'messages' || route === 'embeddings';
  },

  buildRequest(input: BuildRequestInput): UpstreamRequest {
    if (!this.supports(input.route)) throw new GatewayError('invalid_request', `Provider '${input.endpoint.name}' does not serve this endpoint.`);
    const method = input.route === 'embeddings' ? embedMethod(input.body) : input.stream ? ':streamGenerateContent?alt=sse' : ':generateContent';
    const { origin, path } = upstreamTarget(input.baseUrl, `${versionPrefix(input.baseUrl)}/models/${encodeURIComponent(input.model)}${method}`);
    const headers: Record<string, string> = {
      accept: input.stream ? 'text/event-stream' : 'application/json',
      'content-type': 'application/json',
      'user-agent': GATEWAY_USER_AGENT,
    };
    const key = input.endpoint.apiKey;
    if (key !== undefined) headers['x-goog-api-key'] = key.reveal();
    return { origin, path, method: 'POST', headers, body: JSON.stringify(input.body) };
  },

  parseUsage(_route: RouteKind, body: unknown): TokenUsage | undefined {
    return isObject(body) ? geminiUsage(body['usageMetadata']) : undefined;
  },

  // The client sees translated bodies: capture reads those with the client's adapter.
  responseText(): string {
    return '';
  },

  eventText(): string {
    return '';
  },

  openStream(): StreamSession {
    return new GeminiStreamSession();
  },

  refusesKey(status: number, body: string): boolean {
    return status === 400 && isKeyInvalid(body);
  },
};
