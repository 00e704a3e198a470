import t from 'tap';
import { chatToMessage, toolInput } from '../../../proxy/translate/messages-openai/chat-to-message.js';

/** A complete `chat.completion` → Anthropic Message, field by field (WIRE.md §7). */

const completion = (message: Record<string, unknown>, finish_reason: unknown = 'stop', usage: unknown = { prompt_tokens: 10, completion_tokens: 2 }) => ({
  id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4.1', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason }], usage,
});

t.test('text and tool calls → text and tool_use blocks; id and model pass through', async (t) => {
  const out = chatToMessage(completion({ content: 'Checking.', tool_calls: [
    { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Lima"}' } },
    { id: 'call_2', type: 'function', function: { name: 'now', arguments: 'not json' } },
    { id: 'call_3', type: 'custom' },
  ] }, 'tool_calls'));
  t.same(out, {
    id: 'chatcmpl-1', type: 'message', role: 'assistant', model: 'gpt-4.1',
    content: [
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Lima' } },
      { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
    ],
    stop_reason: 'tool_use', stop_sequence: null,
    usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 2 },
  }, 'bad arguments fall back to {} (as peers do); non-function calls are skipped');
  t.same(chatToMessage(completion({ content: '' }))['content'], [], 'empty text makes no block (Anthropic clients reject empty text)');
  t.same(chatToMessage({ id: 'x', model: 'm' })['content'], [], 'no choices: an empty message, not a crash');
});

t.test('every finish_reason maps to a stop_reason; a refusal is text with stop_reason refusal', async (t) => {
  const cases: [unknown, string][] = [['stop', 'end_turn'], ['length', 'max_tokens'], ['tool_calls', 'tool_use'], ['function_call', 'tool_use'], ['content_filter', 'refusal'], [null, 'end_turn'], ['new_reason', 'end_turn']];
  for (const [finish, stop] of cases) t.equal(chatToMessage(completion({ content: 'x' }, finish))['stop_reason'], stop, `${String(finish)} → ${stop}`);
  const refused = chatToMessage(completion({ content: null, refusal: 'I cannot help with that.' }, 'stop'));
  t.same(refused['content'], [{ type: 'text', text: 'I cannot help with that.' }]);
  t.equal(refused['stop_reason'], 'refusal');
});

t.test('usage: input excludes the cached part, reported as cache reads', async (t) => {
  t.same(chatToMessage(completion({ content: 'x' }, 'stop', { prompt_tokens: 1000, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 800 } }))['usage'], { input_tokens: 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 800, output_tokens: 50 });
  t.same(chatToMessage(completion({ content: 'x' }, 'stop', null))['usage'], { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
});

t.test('toolInput: a JSON object string is the input; anything else is {}', async (t) => {
  t.same(toolInput('{"a":[1,2]}'), { a: [1, 2] });
  t.same(toolInput('[1]'), {});
  t.same(toolInput(undefined), {});
  t.same(toolInput('{'), {});
});
