import { geminiTranslator } from '../gemini/gemini-translator.js';
import { messagesToGemini } from './messages-to-gemini.js';
import { geminiToMessage, GeminiToMessageStream } from './gemini-to-message.js';

/** Anthropic Messages client → Gemini `generateContent` provider. */
export const messagesToGeminiTranslator = geminiTranslator('messages', 'messages', messagesToGemini, geminiToMessage, GeminiToMessageStream);
