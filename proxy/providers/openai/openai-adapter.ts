import type { RouteKind, TokenUsage } from '../../core/vocabulary.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BuildRequestInput, ProviderAdapter, StreamOptions, StreamSession, UpstreamRequest } from '../provider-adapter.js';
import type { SseEvent } from '../sse-types.js';
import { copyOpenAiClientHeaders, GATEWAY_USER_AGENT } from '../forwarded-headers.js';
import { upstreamTarget } from '../upstream-url.js';
import { isObject, sseEventType, tryParseJson } from '../json-fields.js';
import { chatUsage, responsesUsage } from './openai-usage.js';
import { ChatStreamSession } from './chat-stream.js';
import { ResponsesStreamSession } from './responses-stream.js';

const ENDPOINT_PATHS: Partial<Record<RouteKind, string>> = {
  chat: '/chat/completions',
  responses: '/responses',
  embeddings: '/embeddings',
  models: '/models',
};

/** Azure OpenAI accepts `Authorization: Bearer <key>` on its v1 API, but classic deployments want `api-key`. */
function isAzureOrigin(origin: string): boolean {
  return origin.endsWith('.openai.azure.com') || origin.endsWith('.cognitiveservices.azure.com') || origin.endsWith('.services.ai.azure.com');
}

function chatText(body: unknown): string {
  if (!isObject(body) || !Array.isArray(body['choices'])) return '';
  let text = '';
  for (const choice of body['choices']) {
    const message = isObject(choice) ? choice['message'] : undefined;
    if (isObject(message) && typeof message['content'] === 'string') text += message['content'];
  }
  return text;
}

function responsesText(body: unknown): string {
  if (!isObject(body) || !Array.isArray(body['output'])) return '';
  let text = '';
  for (const item of body['output']) {
    if (!isObject(item) || item['type'] !== 'message' || !Array.isArray(item['content'])) continue;
    for (const part of item['content']) if (isObject(part) && typeof part['text'] === 'string') text += part['text'];
  }
  return text;
}

/**
 * OpenAI and every OpenAI-compatible base URL (Azure v1, Groq, Together, vLLM, Ollama):
 * key as `Authorization: Bearer`, `model` replaced by the provider's model, and on chat
 * streams `stream_options.include_usage` forced on so the gateway always learns real usage.
 */
export const openAiAdapter: ProviderAdapter = {
  api: 'openai',

  supports(route: RouteKind): boolean {
    return ENDPOINT_PATHS[route] !== undefined;
  },

  buildRequest(input: BuildRequestInput): UpstreamRequest {
    const endpointPath = ENDPOINT_PATHS[input.route];
    if (endpointPath === undefined) throw new GatewayError('invalid_request', `Provider '${input.endpoint.name}' does not serve this endpoint.`);
    const { origin, path } = upstreamTarget(input.baseUrl, endpointPath);
    const headers: Record<string, string> = {
      accept: input.stream ? 'text/event-stream' : 'application/json',
      'user-agent': GATEWAY_USER_AGENT,
    };
    copyOpenAiClientHeaders(input.clientHeaders, headers);
    const key = input.endpoint.apiKey;
    if (key !== undefined) {
      headers['authorization'] = 'Bearer ' + key.reveal();
      if (isAzureOrigin(origin)) headers['api-key'] = key.reveal();
    }
    if (input.route === 'models') return { origin, path, method: 'GET', headers, body: undefined };
    headers['content-type'] = 'application/json';
    const body: Record<string, unknown> = { ...input.body, model: input.model };
    if (input.route === 'chat' && input.stream) {
      const clientOptions = input.body['stream_options'];
      body['stream_options'] = { ...(isObject(clientOptions) ? clientOptions : {}), include_usage: true };
    }
    return { origin, path, method: 'POST', headers, body: JSON.stringify(body) };
  },

  parseUsage(route: RouteKind, body: unknown): TokenUsage | undefined {
    if (!isObject(body)) return undefined;
    return route === 'responses' ? responsesUsage(body['usage']) : chatUsage(body['usage']);
  },

  responseText(route: RouteKind, body: unknown): string {
    if (route === 'chat') return chatText(body);
    if (route === 'responses') return responsesText(body);
    return '';
  },

  eventText(route: RouteKind, event: SseEvent): string {
    if (route === 'responses') {
      if (sseEventType(event) !== 'response.output_text.delta') return '';
      const parsed = tryParseJson(event.data);
      return isObject(parsed) && typeof parsed['delta'] === 'string' ? parsed['delta'] : '';
    }
    if (event.data.indexOf('"content"') === -1) return '';
    const parsed = tryParseJson(event.data);
    if (!isObject(parsed) || !Array.isArray(parsed['choices'])) return '';
    let text = '';
    for (const choice of parsed['choices']) {
      const delta = isObject(choice) ? choice['delta'] : undefined;
      if (isObject(delta) && typeof delta['content'] === 'string') text += delta['content'];
    }
    return text;
  },

  openStream(route: RouteKind, options: StreamOptions): StreamSession {
    return route === 'responses' ? new ResponsesStreamSession() : new ChatStreamSession(options);
  },
};
