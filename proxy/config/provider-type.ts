import { PROVIDER_TYPES, type ProviderConfig, type ProviderType } from './schema.js';

/** Where a provider of each type is reached when its config sets no `baseUrl`. */
export const DEFAULT_BASE_URLS: Readonly<Partial<Record<ProviderType, string>>> = Object.freeze({
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
});

/** Types whose base URL is the operator's own (an Azure resource, a vLLM or Ollama server): no default. */
export const BASE_URL_REQUIRED: ReadonlySet<ProviderType> = new Set(['azure_openai', 'openai_compatible']);

/** Types that may run without a key (a local vLLM or Ollama server). */
export const KEY_OPTIONAL: ReadonlySet<ProviderType> = new Set(['demo', 'openai_compatible']);

function isProviderType(name: string): name is ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(name);
}

/**
 * The wire protocol a provider speaks: its `type`, else its name when the name is a known
 * type (`openai: {…}`). Undefined means the config must say which (a reference error).
 */
export function providerTypeOf(name: string, provider: Pick<ProviderConfig, 'type'>): ProviderType | undefined {
  if (provider.type !== undefined) return provider.type;
  return isProviderType(name) ? name : undefined;
}
