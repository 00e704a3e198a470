import type { ProviderType } from '../config/schema.js';
import type { RouteKind } from '../core/vocabulary.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { openAiAdapter } from './openai/openai-adapter.js';
import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { demoAdapterFor } from './demo/demo-adapter.js';

/** The adapter that speaks a provider type's wire protocol on a route. */
export function adapterFor(type: ProviderType, route: RouteKind): ProviderAdapter {
  if (type === 'anthropic') return anthropicAdapter;
  if (type === 'demo') return demoAdapterFor(route);
  return openAiAdapter;
}
