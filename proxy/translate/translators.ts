import type { RouteKind } from '../core/vocabulary.js';
import type { ProviderApi, Translator } from './translator.js';
import { chatToAnthropic } from './chat-anthropic/index.js';
import { messagesToOpenAi } from './messages-openai/index.js';
import { chatToGeminiTranslator } from './chat-gemini/index.js';
import { messagesToGeminiTranslator } from './messages-gemini/index.js';
import { responsesToAnthropic } from './responses-anthropic/index.js';
import { responsesToGeminiTranslator } from './responses-gemini/index.js';
import { embeddingsToGeminiTranslator } from './embeddings-gemini/index.js';

/** Every client → provider pair the gateway translates: one line per pair. */
const TRANSLATORS: readonly Translator[] = [chatToAnthropic, messagesToOpenAi, chatToGeminiTranslator, messagesToGeminiTranslator, responsesToAnthropic, responsesToGeminiTranslator, embeddingsToGeminiTranslator];

/** The translator from a client route to a provider API, if that pair is built. */
export function translatorFor(client: RouteKind, provider: ProviderApi): Translator | undefined {
  return TRANSLATORS.find((t) => t.client === client && t.provider === provider);
}
