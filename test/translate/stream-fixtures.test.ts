import t from 'tap';
import { fixture, pinCallIds, pinCreated, translateStream } from './stream-fixture.js';

/**
 * Byte-level stream fixtures per translated pair: the provider's documented stream (text, a
 * ping, tool calls with split arguments, usage with cached tokens) goes through the same chain
 * forward uses, fed 7 bytes at a time; the client's bytes must equal the checked-in file.
 */

t.test('chat client ← Anthropic stream: chunks, tool-call deltas, finish, usage chunk, [DONE]', async (t) => {
  const { bytes, usage } = translateStream('anthropic', 'openai', 'chat', fixture('anthropic-tool-stream.sse'), true);
  t.equal(pinCreated(bytes), fixture('chat-from-anthropic-tool-stream.sse'));
  t.ok(bytes.endsWith('data: [DONE]\n\n'), 'terminal event last');
  t.notMatch(bytes, /event:/, 'no event: lines on a chat stream');
  t.same(usage, { inputTokens: 572, outputTokens: 89, cachedInputTokens: 100 }, 'spend settles from the provider usage');
});

t.test('chat client ← Anthropic stream without include_usage: the usage chunk is not sent', async (t) => {
  const { bytes, usage } = translateStream('anthropic', 'openai', 'chat', fixture('anthropic-tool-stream.sse'), false);
  const expected = fixture('chat-from-anthropic-tool-stream.sse').split('\n\n').filter((frame) => !frame.includes('"choices":[]')).join('\n\n');
  t.equal(pinCreated(bytes), expected);
  t.same(usage, { inputTokens: 572, outputTokens: 89, cachedInputTokens: 100 });
});

t.test('Messages client ← OpenAI stream: blocks per text and tool call, message_delta with usage, message_stop', async (t) => {
  const { bytes, usage } = translateStream('openai', 'anthropic', 'messages', fixture('openai-tool-stream.sse'), false);
  t.equal(bytes, fixture('messages-from-openai-tool-stream.sse'));
  const names = bytes.split('\n').filter((l) => l.startsWith('event: ')).map((l) => l.slice(7));
  t.equal(names[0], 'message_start');
  t.same(names.slice(-2), ['message_delta', 'message_stop'], 'terminal event last');
  t.same(usage, { inputTokens: 120, outputTokens: 40, cachedInputTokens: 64 });
});

t.test('an OpenAI-compatible stream that ends without [DONE] still ends the Anthropic stream', async (t) => {
  const upstream = fixture('openai-tool-stream.sse').replace('data: [DONE]\n\n', '');
  const { bytes } = translateStream('openai', 'anthropic', 'messages', upstream, false);
  t.equal(bytes, fixture('messages-from-openai-tool-stream.sse'));
});

t.test('an Anthropic error event becomes the error frame the OpenAI SDK raises', async (t) => {
  const upstream = fixture('anthropic-tool-stream.sse').split('event: content_block_stop')[0] + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
  const { bytes } = translateStream('anthropic', 'openai', 'chat', upstream, true);
  t.ok(bytes.endsWith('data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}}\n\n'));
  t.notMatch(bytes, /\[DONE\]/, 'no terminal frame after an error');
});

t.test('an OpenAI error frame becomes an Anthropic error event', async (t) => {
  const upstream = fixture('openai-tool-stream.sse').split('\n\n').slice(0, 2).join('\n\n') + '\n\ndata: {"error":{"message":"Rate limited","type":"tokens","code":"rate_limit_exceeded"}}\n\n';
  const { bytes } = translateStream('openai', 'anthropic', 'messages', upstream, false);
  t.ok(bytes.endsWith('event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}\n\n'));
  t.notMatch(bytes, /message_stop/);
});

t.test('chat client ← Gemini stream (CRLF, thought summary, two calls whole, signature-only last chunk, no [DONE])', async (t) => {
  const { bytes, usage } = translateStream('gemini', 'openai', 'chat', fixture('gemini-tool-stream.sse'), true);
  t.equal(pinCallIds(pinCreated(bytes)), fixture('chat-from-gemini-tool-stream.sse'));
  t.notMatch(bytes, /Let me think/, 'thought summaries are never answer text');
  t.ok(bytes.endsWith('data: [DONE]\n\n'), 'the gateway adds the terminal frame');
  t.same(usage, { inputTokens: 220, outputTokens: 200, cachedInputTokens: 100 }, 'the last usage, thinking counted as output');
});

t.test('Messages client ← Gemini stream', async (t) => {
  const { bytes, usage } = translateStream('gemini', 'anthropic', 'messages', fixture('gemini-tool-stream.sse'), false);
  t.equal(pinCallIds(bytes), fixture('messages-from-gemini-tool-stream.sse'));
  t.same(usage, { inputTokens: 220, outputTokens: 200, cachedInputTokens: 100 });
});

t.test('a Gemini stream cut before its finish reason gets no terminal frame (reported truncated)', async (t) => {
  const cut = fixture('gemini-tool-stream.sse').split('\r\n\r\n').slice(0, 3).join('\r\n\r\n') + '\r\n\r\n';
  t.notMatch(translateStream('gemini', 'openai', 'chat', cut, true).bytes, /\[DONE\]/);
  t.notMatch(translateStream('gemini', 'anthropic', 'messages', cut, false).bytes, /message_stop/);
  t.equal(translateStream('gemini', 'openai', 'chat', cut, true).usage?.estimated, true);
});

t.test('a Gemini error event mid-stream becomes each client error frame', async (t) => {
  const failing = fixture('gemini-tool-stream.sse').split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\ndata: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n';
  t.ok(translateStream('gemini', 'openai', 'chat', failing, true).bytes.endsWith('data: {"error":{"message":"The model is overloaded.","type":"server_error","param":null,"code":null}}\n\n'));
  t.ok(translateStream('gemini', 'anthropic', 'messages', failing, false).bytes.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"The model is overloaded."}}\n\n'));
});

t.test('Responses client ← Anthropic stream: created, items, deltas, the .done events, response.completed with usage', async (t) => {
  const { bytes, usage } = translateStream('anthropic', 'openai', 'responses', fixture('anthropic-tool-stream.sse'), false);
  t.equal(pinCreated(bytes), fixture('responses-from-anthropic-tool-stream.sse'));
  const names = bytes.split('\n').filter((l) => l.startsWith('event: ')).map((l) => l.slice(7));
  t.same([names[0], names[1], names.at(-1)], ['response.created', 'response.in_progress', 'response.completed']);
  const last = JSON.parse(bytes.trimEnd().split('\n').at(-1)?.slice(6) ?? '{}') as { response: { usage: unknown; output: unknown[] } };
  t.match(last.response.usage, { input_tokens: 572, input_tokens_details: { cached_tokens: 100 }, output_tokens: 89 });
  t.equal(last.response.output.length, 2);
  t.same(usage, { inputTokens: 572, outputTokens: 89, cachedInputTokens: 100 });
});
