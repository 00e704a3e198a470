import { geminiTranslator } from '../gemini/gemini-translator.js';
import { chatToGemini } from './chat-to-gemini.js';
import { geminiToChat, GeminiToChatStream } from './gemini-to-chat.js';

/** OpenAI Chat Completions client → Gemini `generateContent` provider. */
export const chatToGeminiTranslator = geminiTranslator('chat', 'chat', chatToGemini, geminiToChat, GeminiToChatStream);
