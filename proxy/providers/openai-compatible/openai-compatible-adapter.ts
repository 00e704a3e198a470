import type { RouteKind } from '../../core/vocabulary.js';
import type { ProviderAdapter } from '../provider-adapter.js';
import { openAiAdapter } from '../openai/openai-adapter.js';

/**
 * Any OpenAI-compatible server (vLLM, Ollama, Groq, Together, OpenRouter): OpenAI's wire
 * format, declaring only what differs — these servers serve Chat Completions, embeddings and
 * the model list, not the Responses API, so a Responses client is answered 400 up front
 * instead of by a 404 from the server. The key is optional (a local server may need none).
 */
export const openAiCompatibleAdapter: ProviderAdapter = {
  ...openAiAdapter,
  supports: (route: RouteKind): boolean => route === 'chat' || route === 'embeddings' || route === 'models',
};
