import type { Translator } from '../translator.js';
import { chatToGemini } from './chat-to-gemini.js';
import { geminiToChat, GeminiToChatStream } from './gemini-to-chat.js';

/** OpenAI Chat Completions client → Gemini `generateContent` provider. */
export const chatToGeminiTranslator: Translator = {
  client: 'chat',
  provider: 'gemini',
  upstreamRoute: 'chat',
  request: (body) => chatToGemini(body),
  response: geminiToChat,
  stream: () => new GeminiToChatStream(),
};
