import type { RouteKind, TokenUsage } from '../../core/vocabulary.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BuildRequestInput, ProviderAdapter, StreamSession, UpstreamRequest } from '../provider-adapter.js';
import type { SseEvent } from '../sse-types.js';
import { copyAnthropicClientHeaders, GATEWAY_USER_AGENT } from '../forwarded-headers.js';
import { anthropicTarget } from '../upstream-url.js';
import { isObject, sseEventType, tryParseJson } from '../json-fields.js';
import { messageUsage } from './anthropic-usage.js';
import { MessagesStreamSession } from './messages-stream.js';

/** Anthropic Messages: key as `x-api-key`, `anthropic-version` from the provider's config. */
export const anthropicAdapter: ProviderAdapter = {
  api: 'anthropic',

  supports(route: RouteKind): boolean {
    return route === 'messages';
  },

  buildRequest(input: BuildRequestInput): UpstreamRequest {
    if (input.route !== 'messages') throw new GatewayError('invalid_request', `Provider '${input.endpoint.name}' does not serve this endpoint.`);
    const { origin, path } = anthropicTarget(input.baseUrl, '/messages');
    const headers: Record<string, string> = {
      accept: input.stream ? 'text/event-stream' : 'application/json',
      'content-type': 'application/json',
      'user-agent': GATEWAY_USER_AGENT,
      'anthropic-version': input.endpoint.anthropicVersion,
    };
    copyAnthropicClientHeaders(input.clientHeaders, headers);
    const key = input.endpoint.apiKey;
    if (key !== undefined) headers['x-api-key'] = key.reveal();
    const body = JSON.stringify({ ...input.body, model: input.model });
    return { origin, path, method: 'POST', headers, body };
  },

  parseUsage(_route: RouteKind, body: unknown): TokenUsage | undefined {
    return isObject(body) ? messageUsage(body['usage']) : undefined;
  },

  responseText(_route: RouteKind, body: unknown): string {
    if (!isObject(body) || !Array.isArray(body['content'])) return '';
    let text = '';
    for (const block of body['content']) if (isObject(block) && block['type'] === 'text' && typeof block['text'] === 'string') text += block['text'];
    return text;
  },

  eventText(_route: RouteKind, event: SseEvent): string {
    if (sseEventType(event) !== 'content_block_delta') return '';
    const parsed = tryParseJson(event.data);
    const delta = isObject(parsed) ? parsed['delta'] : undefined;
    return isObject(delta) && delta['type'] === 'text_delta' && typeof delta['text'] === 'string' ? delta['text'] : '';
  },

  openStream(): StreamSession {
    return new MessagesStreamSession();
  },
};
