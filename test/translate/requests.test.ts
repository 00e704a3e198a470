import t, { type Test } from 'tap';
import { chatToAnthropic } from '../../proxy/translate/chat-anthropic/index.js';
import { messagesToOpenAi } from '../../proxy/translate/messages-openai/index.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';

function refusal(t: Test, fn: () => unknown, param: string): void {
  try {
    fn();
    t.fail(`expected a 400 naming ${param}`);
  } catch (err) {
    t.type(err, GatewayError);
    t.match(err, { code: 'invalid_request', status: 400, param }, param);
  }
}

t.test('chat → Anthropic: what cannot be translated is a 400 naming the field', async (t) => {
  const base = { model: 'x', messages: [{ role: 'user', content: 'hi' }] };
  refusal(t, () => chatToAnthropic.request({ ...base, n: 2 }, 'm', false), 'n');
  refusal(t, () => chatToAnthropic.request({ ...base, logprobs: true }, 'm', false), 'logprobs');
  refusal(t, () => chatToAnthropic.request({ ...base, temperature: 1.5 }, 'm', false), 'temperature');
  refusal(t, () => chatToAnthropic.request({ ...base, response_format: { type: 'json_object' } }, 'm', false), 'response_format');
  refusal(t, () => chatToAnthropic.request({ ...base, messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'm', false), 'messages[0].content[0].type');
  refusal(t, () => chatToAnthropic.request({ ...base, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }] }] }, 'm', false), 'messages[0].content[0].image_url.url');
  refusal(t, () => chatToAnthropic.request({ ...base, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{bad' } }] }] }, 'm', false), 'messages[0].tool_calls[0].function.arguments');
  t.doesNotThrow(() => chatToAnthropic.request({ ...base, n: 1, presence_penalty: 0, logprobs: false, response_format: { type: 'text' } }, 'm', false), 'default values pass');
});

t.test('chat → Anthropic: system hoisted, consecutive tool results merged into one user turn, parallel_tool_calls', async (t) => {
  const out = chatToAnthropic.request(
    {
      model: 'x',
      max_completion_tokens: 77,
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      messages: [
        { role: 'developer', content: 'rule 1' },
        { role: 'user', content: 'go' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'b', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
        { role: 'tool', tool_call_id: 'a', content: 'A' },
        { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'B' }] },
        { role: 'system', content: 'rule 2' },
      ],
    },
    'claude-x',
    true,
  );
  t.same(out, {
    model: 'claude-x',
    max_tokens: 77,
    stream: true,
    system: [{ type: 'text', text: 'rule 1' }, { type: 'text', text: 'rule 2' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }, { type: 'tool_use', id: 'b', name: 'f', input: { x: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'A' }, { type: 'tool_result', tool_use_id: 'b', content: 'B' }] },
    ],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  });
});

t.test('Messages → chat: what cannot be translated is a 400 naming the field', async (t) => {
  const base = { model: 'x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
  refusal(t, () => messagesToOpenAi.request({ ...base, top_k: 5 }, 'm', false), 'top_k');
  refusal(t, () => messagesToOpenAi.request({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } }, 'm', false), 'thinking');
  refusal(t, () => messagesToOpenAi.request({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'm', false), 'tools[0]');
  refusal(t, () => messagesToOpenAi.request({ ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'm', false), 'messages[0].content[0].type');
});

t.test('Messages → chat: reasoning models get max_completion_tokens; tool_choice any → required', async (t) => {
  const out = messagesToOpenAi.request({ model: 'x', max_tokens: 9, tool_choice: { type: 'any', disable_parallel_tool_use: true }, tools: [{ name: 'f', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'hi' }] }, 'o4-mini', false);
  t.match(out, { model: 'o4-mini', max_completion_tokens: 9, tool_choice: 'required', parallel_tool_calls: false });
  t.notOk('max_tokens' in out);
});

t.test('complete answers: stop reasons and usage both ways', async (t) => {
  const chat = chatToAnthropic.response({ id: 'msg_1', model: 'c', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'hi' }], stop_reason: 'max_tokens', usage: { input_tokens: 3, cache_creation_input_tokens: 2, cache_read_input_tokens: 5, output_tokens: 4 } }, { body: {}, model: 'c' });
  t.match(chat, { object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'hi' }, finish_reason: 'length' }], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14, prompt_tokens_details: { cached_tokens: 5 } } });
  const message = messagesToOpenAi.response({ id: 'c1', model: 'g', choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 4 } } }, { body: {}, model: 'g' });
  t.match(message, { type: 'message', content: [{ type: 'text', text: 'I cannot' }], stop_reason: 'refusal', usage: { input_tokens: 6, cache_read_input_tokens: 4, output_tokens: 2 } });
});
