import type { Translator } from '../translator.js';
import { messagesToChat } from './messages-to-chat.js';
import { chatToMessage } from './chat-to-message.js';
import { ChatToMessageStream } from './chat-message-stream.js';

/** Anthropic Messages client → OpenAI Chat Completions provider. */
export const messagesToOpenAi: Translator = {
  client: 'messages',
  provider: 'openai',
  upstreamRoute: 'chat',
  request: messagesToChat,
  response: chatToMessage,
  stream: () => new ChatToMessageStream(),
};
