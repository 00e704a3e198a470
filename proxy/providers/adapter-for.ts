import type { ProviderType } from '../config/schema.js';
import type { RouteKind } from '../core/vocabulary.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { openAiAdapter } from './openai/openai-adapter.js';
import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { demoAdapterFor } from './demo/demo-adapter.js';
import { geminiAdapter } from './gemini/gemini-adapter.js';
import { azureOpenAiAdapter } from './azure-openai/azure-openai-adapter.js';
import { openAiCompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';

/** One line per provider type: its folder's adapter. */
const ADAPTERS: Readonly<Record<Exclude<ProviderType, 'demo'>, ProviderAdapter>> = {
  openai: openAiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  azure_openai: azureOpenAiAdapter,
  openai_compatible: openAiCompatibleAdapter,
};

/** The adapter that speaks a provider type's wire protocol on a route. */
export function adapterFor(type: ProviderType, route: RouteKind): ProviderAdapter {
  return type === 'demo' ? demoAdapterFor(route) : ADAPTERS[type];
}
