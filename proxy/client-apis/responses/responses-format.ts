import type { ClientFormat, StreamError } from '../client-format.js';
import { invalid, openAiError, optionalInt } from '../client-format.js';
import { tallyConversation } from '../input-tally.js';
import { responsesPromptParts, responsesSystemPrompt } from './responses-prompt.js';
import { responsesResponseParts } from './responses-response.js';

/**
 * OpenAI Responses (`POST /v1/responses`): the error event carries `code/message/param` at the
 * top (the SDK event type) and under `error` (what the SDKs raise on), and the next sequence number.
 */
export const responsesFormat: ClientFormat = {
  route: 'responses',
  api: 'openai',
  conversation: 'input',
  validate(body) {
    const input = body['input'];
    if (typeof input !== 'string' && !Array.isArray(input)) throw invalid("'input' must be a string or an array.", 'input');
    return optionalInt(body, 'max_output_tokens');
  },
  capField: () => 'max_output_tokens',
  outputCount: () => 1,
  promptParts: responsesPromptParts,
  responseParts: responsesResponseParts,
  estimateInput: (body, tally) => tallyConversation(tally, body, { leading: ['instructions'], conversation: 'input', definitions: ['tools', 'tool_choice', 'text'] }),
  applySystemPrompt: responsesSystemPrompt,
  errorEvent: (error: StreamError) => ({
    event: 'error',
    data: JSON.stringify({ type: 'error', code: error.code, message: error.message, param: error.param, ...(error.sequenceNumber === undefined ? {} : { sequence_number: error.sequenceNumber }), error: openAiError(error) }),
  }),
};
