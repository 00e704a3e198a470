import type { RouteKind } from '../../core/vocabulary.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { openAiAdapter } from '../openai/openai-adapter.js';
import { anthropicAdapter } from '../anthropic/anthropic-adapter.js';

/**
 * The demo provider speaks both APIs (it is a real loopback HTTP server, see demo-server.ts),
 * so it reuses the real adapters: Anthropic's on `/v1/messages`, OpenAI's elsewhere. It has
 * no key, so no credential header is sent.
 */
export function demoAdapterFor(route: RouteKind): ProviderAdapter {
  return route === 'messages' ? anthropicAdapter : openAiAdapter;
}
