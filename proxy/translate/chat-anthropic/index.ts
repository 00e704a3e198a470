import type { Translator } from '../translator.js';
import { chatToMessages } from './chat-to-messages.js';
import { messageToChat } from './anthropic-to-chat.js';
import { AnthropicToChatStream } from './anthropic-chat-stream.js';

/** OpenAI Chat Completions client → Anthropic Messages provider. */
export const chatToAnthropic: Translator = {
  client: 'chat',
  provider: 'anthropic',
  upstreamRoute: 'messages',
  request: chatToMessages,
  response: messageToChat,
  stream: () => new AnthropicToChatStream(),
};
