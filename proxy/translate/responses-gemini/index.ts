import type { Translator } from '../translator.js';
import { responsesToGemini } from './responses-to-gemini.js';
import { geminiToResponse } from './gemini-to-response.js';
import { GeminiToResponsesStream } from './gemini-responses-stream.js';

/** OpenAI Responses client → Gemini `generateContent` provider. */
export const responsesToGeminiTranslator: Translator = {
  client: 'responses',
  provider: 'gemini',
  upstreamRoute: 'chat',
  request: (body) => responsesToGemini(body),
  response: geminiToResponse,
  stream: () => new GeminiToResponsesStream(),
};
