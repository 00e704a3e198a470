import type { ClientFormat, StreamError } from '../client-format.js';
import { invalid, optionalInt } from '../client-format.js';
import { tallyConversation } from '../input-tally.js';
import { messagesPromptParts, messagesSystemPrompt } from './messages-prompt.js';
import { messagesResponseParts } from './messages-response.js';

/** Anthropic Messages (`POST /v1/messages`): `max_tokens` is required; errors are `event: error` (the Python SDK dispatches on the event name). */
export const messagesFormat: ClientFormat = {
  route: 'messages',
  api: 'anthropic',
  conversation: 'messages',
  validate(body) {
    if (!Array.isArray(body['messages'])) throw invalid("'messages' is required and must be an array.", 'messages');
    const max = optionalInt(body, 'max_tokens');
    if (max === undefined) throw invalid('max_tokens: Field required', 'max_tokens');
    return max;
  },
  capField: () => 'max_tokens',
  outputCount: () => 1,
  promptParts: messagesPromptParts,
  responseParts: messagesResponseParts,
  estimateInput: (body, tally) => tallyConversation(tally, body, { leading: ['system'], conversation: 'messages', definitions: ['tools', 'tool_choice'] }),
  applySystemPrompt: messagesSystemPrompt,
  errorEvent: (error: StreamError) => ({
    event: 'error',
    data: JSON.stringify({ type: 'error', error: { type: error.anthropicType, message: error.message, code: error.code }, ...(error.requestId === undefined ? {} : { request_id: error.requestId }) }),
  }),
};
