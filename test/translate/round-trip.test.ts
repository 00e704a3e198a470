import t from 'tap';
import fc from 'fast-check';
import { chatToMessages } from '../../proxy/translate/chat-anthropic/chat-to-messages.js';
import { messagesToChat } from '../../proxy/translate/messages-openai/messages-to-chat.js';
import { messageToChat } from '../../proxy/translate/chat-anthropic/anthropic-to-chat.js';
import { chatToMessage } from '../../proxy/translate/messages-openai/chat-to-message.js';
import { finishReason, stopReason } from '../../proxy/translate/anthropic-openai-vocabulary.js';

/**
 * Properties of the chat ⇄ Anthropic pairs taken together: what one direction writes, the other
 * reads back unchanged. Any text (unicode, newlines, JSON-looking, empty) and any tool input.
 */

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
const nonEmpty = text.filter((s) => s.length > 0);

t.test("property: a conversation's text and roles survive chat → Anthropic → chat unchanged", async (t) => {
  const turn = fc.tuple(fc.constantFrom('user', 'assistant'), nonEmpty);
  fc.assert(fc.property(nonEmpty, fc.array(turn, { minLength: 1, maxLength: 6 }), (system, turns) => {
    const chat = { model: 'x', messages: [{ role: 'system', content: system }, ...turns.map(([role, content]) => ({ role, content }))] };
    const back = messagesToChat(chatToMessages(chat, 'claude', false), 'gpt', false);
    const said = (back['messages'] as { role: string; content: unknown }[]).map((m) => [m.role, typeof m.content === 'string' ? m.content : (m.content as { text: string }[]).map((p) => p.text).join('')]);
    // Anthropic merges consecutive same-role turns, so compare the merged conversation.
    const merged: [string, string][] = [];
    for (const [role, content] of turns) {
      const last = merged[merged.length - 1];
      if (last && last[0] === role) last[1] += content;
      else merged.push([role, content]);
    }
    t.same(said, [['system', system], ...merged]);
    return true;
  }), { numRuns: 200 });
});

t.test("property: an answer's text and tool calls survive Anthropic → chat → Anthropic unchanged", async (t) => {
  const input = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }));
  fc.assert(fc.property(text, fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), input), { maxLength: 3 }), fc.constantFrom('end_turn', 'max_tokens', 'tool_use', 'refusal'), (said, calls, stop) => {
    const content = [...(said.length > 0 ? [{ type: 'text', text: said }] : []), ...calls.map(([name, args], i) => ({ type: 'tool_use', id: `toolu_${i}`, name, input: args }))];
    const message = { id: 'msg_1', model: 'claude', content, stop_reason: stop, usage: { input_tokens: 7, cache_read_input_tokens: 3, output_tokens: 2 } };
    const back = chatToMessage(messageToChat(message));
    t.same(back['content'], JSON.parse(JSON.stringify(content)));
    t.equal(back['stop_reason'], stop);
    t.same(back['usage'], { input_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 3, output_tokens: 2 }, 'cache reads stay apart from input');
    return true;
  }), { numRuns: 150 });
});

t.test('the stop-reason table reads the same both ways for every value both APIs name', async (t) => {
  for (const stop of ['end_turn', 'max_tokens', 'tool_use', 'refusal']) t.equal(stopReason(finishReason(stop)), stop, stop);
  for (const finish of ['stop', 'length', 'tool_calls', 'content_filter']) t.equal(finishReason(stopReason(finish)), finish, finish);
});
