import t from 'tap';
import { callShape } from '../../proxy/translate/call-shape.js';
import { translatorFor } from '../../proxy/translate/translators.js';
import { chatToAnthropic } from '../../proxy/translate/chat-anthropic/index.js';
import { messagesToOpenAi } from '../../proxy/translate/messages-openai/index.js';
import { chatToGeminiTranslator } from '../../proxy/translate/chat-gemini/index.js';
import { messagesToGeminiTranslator } from '../../proxy/translate/messages-gemini/index.js';
import { responsesToAnthropic } from '../../proxy/translate/responses-anthropic/index.js';

/** Which pair serves a client route on a provider, and to which upstream route it sends. */

t.test('translatorFor: one translator per built client → provider pair', async (t) => {
  t.equal(translatorFor('chat', 'anthropic'), chatToAnthropic);
  t.equal(translatorFor('messages', 'openai'), messagesToOpenAi);
  t.equal(translatorFor('chat', 'gemini'), chatToGeminiTranslator);
  t.equal(translatorFor('messages', 'gemini'), messagesToGeminiTranslator);
  t.equal(translatorFor('responses', 'anthropic'), responsesToAnthropic);
  t.equal(translatorFor('embeddings', 'anthropic'), undefined, 'Anthropic has no embeddings');
});

t.test('callShape: native when the provider speaks the client API, else the pair and its upstream route', async (t) => {
  const native = callShape('openai', 'openai', 'chat');
  t.equal(native?.translator, undefined);
  t.equal(native?.upstreamRoute, 'chat');
  t.equal(native?.adapter, native?.client, 'native: one adapter both ways');
  const chatOnAnthropic = callShape('anthropic', 'openai', 'chat');
  t.equal(chatOnAnthropic?.translator, chatToAnthropic);
  t.equal(chatOnAnthropic?.upstreamRoute, 'messages');
  t.equal(chatOnAnthropic?.adapter.api, 'anthropic');
  t.equal(chatOnAnthropic?.client.api, 'openai', 'the client adapter reads the client format');
  t.match(callShape('openai', 'anthropic', 'messages'), { translator: messagesToOpenAi, upstreamRoute: 'chat' });
  t.match(callShape('gemini', 'anthropic', 'messages'), { translator: messagesToGeminiTranslator, upstreamRoute: 'messages' });
  t.match(callShape('gemini', 'openai', 'chat'), { translator: chatToGeminiTranslator, upstreamRoute: 'chat' });
  t.equal(callShape('anthropic', 'openai', 'embeddings'), undefined, 'no pair, no shape');
});

t.test('every pair gives each request its own stream transform (stream state never leaks between requests)', async (t) => {
  for (const translator of [chatToAnthropic, messagesToOpenAi, chatToGeminiTranslator, messagesToGeminiTranslator, responsesToAnthropic]) {
    const name = `${translator.client} → ${translator.provider}`;
    const first = translator.stream();
    const second = translator.stream();
    t.not(first, second, name);
    t.same(second.onEnd(), [], `${name}: a fresh transform has nothing to flush`);
  }
});
