import t, { type Test } from 'tap';
import { clientFormat } from '../../proxy/client-apis/client-formats.js';
import { applyPartEdits, type PromptPart } from '../../proxy/client-apis/prompt-parts.js';
import type { RouteKind } from '../../proxy/core/vocabulary.js';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';

const EMAIL = 'jane.roe@corp.example.org';
const dlp = compileTenantDlp('acme', { detectors: { email: 'redact', credit_card: 'redact' }, custom: [], responses: 'off' });
/** The prompt parts a route's format reports (none for a route without a format, `models`). */
function promptParts(route: RouteKind, body: Record<string, unknown>): PromptPart[] {
  const out: PromptPart[] = [];
  clientFormat(route)?.promptParts(body, out);
  return out;
}
const texts = (route: RouteKind, body: Record<string, unknown>): string[] => promptParts(route, body).map((p) => p.text);

/** Redacts and checks the result is valid JSON with no email left anywhere. */
function redactsEverywhere(t: Test, route: RouteKind, body: Record<string, unknown>, expectedParts: number, leftovers = 0): Record<string, unknown> {
  const before = JSON.stringify(body);
  const result = dlp.scanRequest(route, body);
  t.equal(JSON.stringify(body), before, 'input body untouched');
  t.equal(result.findings[0]?.count, expectedParts, `${expectedParts} matches found`);
  const redacted = result.redactedBody as Record<string, unknown>;
  const wire = JSON.stringify(redacted);
  t.equal(wire.split(EMAIL).length - 1, leftovers, 'no email left where prompt text is');
  t.equal(wire.split('[REDACTED:email]').length - 1, expectedParts);
  t.same(JSON.parse(wire), redacted, 'JSON stays valid');
  return redacted;
}

t.test('OpenAI chat: string content, text parts, tool-call arguments, tool results', async (t) => {
  const body = {
    model: 'fast',
    messages: [
      { role: 'system', content: `Escalate to ${EMAIL}` },
      { role: 'user', content: [{ type: 'text', text: `hi ${EMAIL}` }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'send', arguments: JSON.stringify({ to: EMAIL, body: 'hello' }) } }] },
      { role: 'tool', tool_call_id: 'c1', content: `sent to ${EMAIL}` },
      { role: 'assistant', function_call: { name: 'old', arguments: `{"to":"${EMAIL}"}` } },
    ],
  };
  t.equal(texts('chat', body).length, 5);
  const redacted = redactsEverywhere(t, 'chat', body, 5);
  const messages = redacted.messages as { tool_calls?: { function: { arguments: string } }[] }[];
  t.same(JSON.parse(messages[2]?.tool_calls?.[0]?.function.arguments ?? ''), { to: '[REDACTED:email]', body: 'hello' }, 'tool-call arguments stay valid JSON');
  t.same((redacted.messages as unknown[])[1], { role: 'user', content: [{ type: 'text', text: 'hi [REDACTED:email]' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] });
});

t.test('OpenAI Responses: instructions, string input, items, function_call_output', async (t) => {
  t.same(texts('responses', { input: `plain ${EMAIL}` }), [`plain ${EMAIL}`]);
  const body = {
    model: 'fast',
    instructions: `You work for ${EMAIL}`,
    input: [
      { role: 'user', content: `string item ${EMAIL}` },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: `part ${EMAIL}` }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `earlier answer ${EMAIL}` }] },
      { type: 'function_call', call_id: 'f1', name: 'lookup', arguments: `{"q":"${EMAIL}"}` },
      { type: 'function_call_output', call_id: 'f1', output: `result ${EMAIL}` },
      { type: 'function_call_output', call_id: 'f2', output: [{ type: 'input_text', text: `array output ${EMAIL}` }] },
    ],
  };
  redactsEverywhere(t, 'responses', body, 7);
});

t.test('embeddings: string and string[] input; token ids are not text', async (t) => {
  t.same(texts('embeddings', { input: EMAIL }), [EMAIL]);
  t.same(texts('embeddings', { input: [[1, 2, 3], [4]] }), []);
  t.same(texts('embeddings', { input: [1, 2, 3] }), []);
  const redacted = redactsEverywhere(t, 'embeddings', { model: 'embed', input: ['nothing here', `one ${EMAIL}`, `two ${EMAIL}`] }, 2);
  t.same(redacted.input, ['nothing here', 'one [REDACTED:email]', 'two [REDACTED:email]']);
});

t.test('Anthropic messages: system, text, tool_result, tool_use input, documents', async (t) => {
  t.same(texts('messages', { system: `sys ${EMAIL}`, messages: [{ role: 'user', content: `str ${EMAIL}` }] }), [`sys ${EMAIL}`, `str ${EMAIL}`]);
  const body = {
    model: 'smart',
    max_tokens: 100,
    system: [{ type: 'text', text: `block system ${EMAIL}`, cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: `text ${EMAIL}` }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
      { role: 'assistant', content: [{ type: 'thinking', thinking: `signed ${EMAIL}`, signature: 'sig' }, { type: 'tool_use', id: 'tu1', name: 'mail', input: { to: [EMAIL], meta: { cc: EMAIL, n: 3 } } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'tu1', content: `ok ${EMAIL}` },
          { type: 'tool_result', tool_use_id: 'tu2', content: [{ type: 'text', text: `block result ${EMAIL}` }] },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: `doc ${EMAIL}` } },
        ],
      },
    ],
  };
  const redacted = redactsEverywhere(t, 'messages', body, 7, 1);
  const assistant = (redacted.messages as { content: unknown[] }[])[1]?.content;
  t.same(assistant, [
    { type: 'thinking', thinking: `signed ${EMAIL}`, signature: 'sig' },
    { type: 'tool_use', id: 'tu1', name: 'mail', input: { to: ['[REDACTED:email]'], meta: { cc: '[REDACTED:email]', n: 3 } } },
  ], 'tool_use input stays an object; signed thinking is left alone');
});

t.test('malformed bodies yield no parts instead of throwing', async (t) => {
  for (const route of ['chat', 'responses', 'embeddings', 'messages', 'models'] as const) {
    t.same(texts(route, { messages: 'nope', input: 42, system: { x: 1 } }), [], route);
    t.same(texts(route, { messages: [null, 1, 'x', { content: 5 }], input: [null, { content: null }] }), [], `${route} with junk items`);
  }
});

t.test('applyPartEdits writes into copies of the edited paths only; the input is never touched', async (t) => {
  const body = { a: [{ b: 'one' }, { b: 'two' }], c: { d: 'three' }, e: { f: ['four'] }, g: 'five' };
  const copy = applyPartEdits(body, [
    { path: ['a', 1, 'b'], text: 'TWO' },
    { path: ['c', 'd'], text: 'THREE' },
    { path: ['a', 0, 'b'], text: 'ONE' },
    { path: ['g', 'x'], text: 'a path through a string is skipped' },
    { path: [], text: 'an empty path is skipped' },
  ]);
  t.same(copy, { a: [{ b: 'ONE' }, { b: 'TWO' }], c: { d: 'THREE' }, e: { f: ['four'] }, g: 'five' });
  t.same(body, { a: [{ b: 'one' }, { b: 'two' }], c: { d: 'three' }, e: { f: ['four'] }, g: 'five' }, 'the input is unchanged');
  t.not(copy['a'], body.a, 'an edited array is a copy');
  t.equal(copy['e'], body.e, 'an untouched subtree is shared, not cloned');
  // A body that JSON.parse made with a "__proto__" key keeps it as data.
  const hostile = JSON.parse('{"__proto__":{"polluted":"yes"},"messages":[{"content":"x"}]}') as Record<string, unknown>;
  const edited = applyPartEdits(hostile, [{ path: ['messages', 0, 'content'], text: 'y' }]);
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype pollution');
  t.same(Object.keys(edited), ['__proto__', 'messages'], '"__proto__" stays an own key');
});

t.test('redaction rewrites the original text around evasion characters', async (t) => {
  const evasive = 'card ４１１１\u200b 1111 1111 1111 thanks';
  const result = dlp.scanRequest('chat', { messages: [{ role: 'user', content: evasive }] });
  t.same(result.redactedBody, { messages: [{ role: 'user', content: 'card [REDACTED:credit_card] thanks' }] });
});

t.test('tool input leaves come in document order, with their keys as context, on requests and responses alike', async (t) => {
  const input = { a: '1', b: ['2', '3'], c: { d: '4' } };
  const request = promptParts('messages', { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input }] }] });
  t.same(request.map((p) => [p.text, p.context, p.path.slice(5).join('.')]), [['1', 'a: ', 'a'], ['2', 'b: ', 'b.0'], ['3', 'b: ', 'b.1'], ['4', 'd: ', 'c.d']]);
  const response: PromptPart[] = [];
  clientFormat('messages')?.responseParts({ content: [{ type: 'text', text: 'x' }, { type: 'tool_use', id: 't', name: 'f', input }] }, response);
  t.same(response.map((p) => [p.text, p.path.join('.')]), [['x', 'content.0.text'], ['1', 'content.1.input.a'], ['2', 'content.1.input.b.0'], ['3', 'content.1.input.b.1'], ['4', 'content.1.input.c.d']]);
});
