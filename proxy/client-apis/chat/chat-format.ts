import type { ClientFormat, StreamError } from '../client-format.js';
import { invalid, openAiError, optionalInt } from '../client-format.js';
import { tallyConversation } from '../input-tally.js';
import { chatPromptParts, chatSystemPrompt } from './chat-prompt.js';
import { chatResponseParts } from './chat-response.js';

/** Reasoning models (o-series, gpt-5) take `max_completion_tokens` and reject `max_tokens`. */
export function isReasoningModel(model: string): boolean {
  const m = model.toLowerCase();
  return m.startsWith('o1') || m.startsWith('o3') || m.startsWith('o4') || m.startsWith('gpt-5');
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`): error frames are `data: {"error":…}`, which both SDKs raise. */
export const chatFormat: ClientFormat = {
  route: 'chat',
  api: 'openai',
  conversation: 'messages',
  validate(body) {
    const messages = body['messages'];
    if (!Array.isArray(messages)) throw invalid("'messages' is required and must be an array.", 'messages');
    if (messages.length === 0) throw invalid("'messages' must not be empty.", 'messages');
    return optionalInt(body, 'max_completion_tokens') ?? optionalInt(body, 'max_tokens');
  },
  capField: (model) => (isReasoningModel(model) ? 'max_completion_tokens' : 'max_tokens'),
  outputCount(body) {
    const n = body['n'];
    return typeof n === 'number' && Number.isInteger(n) && n > 1 ? n : 1;
  },
  promptParts: chatPromptParts,
  responseParts: chatResponseParts,
  estimateInput: (body, tally) => tallyConversation(tally, body, { leading: [], conversation: 'messages', definitions: ['tools', 'functions', 'response_format', 'tool_choice'] }),
  applySystemPrompt: chatSystemPrompt,
  errorEvent: (error: StreamError) => ({ data: JSON.stringify({ error: openAiError(error) }) }),
};
