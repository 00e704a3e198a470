import type { Translator } from '../translator.js';
import { embeddingsToGemini, geminiToEmbeddings } from './embeddings-to-gemini.js';

/** OpenAI Embeddings client → Gemini `embedContent` / `batchEmbedContents` provider. Embeddings never stream. */
export const embeddingsToGeminiTranslator: Translator = {
  client: 'embeddings',
  provider: 'gemini',
  upstreamRoute: 'embeddings',
  request: (body, model) => embeddingsToGemini(body, model),
  response: geminiToEmbeddings,
  stream: () => ({ onEvent: (event) => [event], onEnd: () => [] }),
};
