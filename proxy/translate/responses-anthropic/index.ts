import type { Translator } from '../translator.js';
import { responsesToMessages } from './responses-to-messages.js';
import { messageToResponse } from './message-to-response.js';
import { AnthropicToResponsesStream } from './anthropic-responses-stream.js';

/** OpenAI Responses client → Anthropic Messages provider. */
export const responsesToAnthropic: Translator = {
  client: 'responses',
  provider: 'anthropic',
  upstreamRoute: 'messages',
  request: responsesToMessages,
  response: messageToResponse,
  stream: () => new AnthropicToResponsesStream(),
};
