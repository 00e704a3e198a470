import type { Translator } from '../translator.js';
import { messagesToGemini } from './messages-to-gemini.js';
import { geminiToMessage, GeminiToMessageStream } from './gemini-to-message.js';

/** Anthropic Messages client → Gemini `generateContent` provider. */
export const messagesToGeminiTranslator: Translator = {
  client: 'messages',
  provider: 'gemini',
  upstreamRoute: 'messages',
  request: (body) => messagesToGemini(body),
  response: geminiToMessage,
  stream: () => new GeminiToMessageStream(),
};
