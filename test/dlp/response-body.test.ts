import t from 'tap';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { redactResponseBody } from '../../proxy/dlp/response-filter.js';
import { createResponseDlpFilter } from '../../proxy/pipeline/response-dlp.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { contextFor, registryOf } from './context-fixture.js';

const detectors = { email: 'log', credit_card: 'block' } as const;
const redacting = compileTenantDlp('acme', { detectors, custom: [], responses: 'redact' });
const blocking = compileTenantDlp('globex', { detectors, custom: [], responses: 'block' });
const off = compileTenantDlp('initech', { detectors, custom: [], responses: 'off' });
const SECRET = 'write to bob@corp.example.org';
const REDACTED = 'write to [REDACTED:email]';

const chat = { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: SECRET, tool_calls: [{ id: 't', type: 'function', function: { name: 'send', arguments: '{"to":"bob@corp.example.org"}' } }] }, finish_reason: 'stop' }] };
const responses = { id: 'resp_1', object: 'response', output: [{ id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: SECRET, annotations: [] }] }, { id: 'fc_1', type: 'function_call', call_id: 'x', name: 'send', arguments: '{"to":"bob@corp.example.org"}' }] };
const messages = { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: SECRET }, { type: 'tool_use', id: 'tu', name: 'send', input: { to: 'bob@corp.example.org' } }] };

t.test('redact mode rewrites the model text and tool arguments of every API', async (t) => {
  const chatOut = redactResponseBody(redacting, 'chat', chat);
  t.same(chatOut.body, { ...chat, choices: [{ index: 0, message: { role: 'assistant', content: REDACTED, tool_calls: [{ id: 't', type: 'function', function: { name: 'send', arguments: '{"to":"[REDACTED:email]"}' } }] }, finish_reason: 'stop' }] });
  t.same(chatOut.findings, [{ detector: 'email', count: 2, action: 'redact', direction: 'response' }]);
  t.equal(chat.choices[0]?.message.content, SECRET, 'input untouched');

  const responsesOut = redactResponseBody(redacting, 'responses', responses);
  t.same(responsesOut.body.output, [{ ...responses.output[0], content: [{ type: 'output_text', text: REDACTED, annotations: [] }] }, { ...responses.output[1], arguments: '{"to":"[REDACTED:email]"}' }]);

  const messagesOut = redactResponseBody(redacting, 'messages', messages);
  t.same(messagesOut.body.content, [{ type: 'text', text: REDACTED }, { type: 'tool_use', id: 'tu', name: 'send', input: { to: '[REDACTED:email]' } }]);
  const clean = { content: [{ type: 'text', text: 'all good' }] };
  t.equal(redactResponseBody(redacting, 'messages', clean).body, clean, 'clean bodies come back as the same object');
});

t.test('block mode names the detector and leaves the body alone; off does nothing', async (t) => {
  const blocked = redactResponseBody(blocking, 'chat', { choices: [{ message: { content: 'card 4539 1488 0343 6467' } }] });
  t.same(blocked.blockedBy, ['credit_card']);
  t.same(blocked.findings, [{ detector: 'credit_card', count: 1, action: 'block', direction: 'response' }]);
  const untouched = redactResponseBody(off, 'chat', chat);
  t.equal(untouched.body, chat);
  t.same(untouched.findings, []);
});

t.test('forward wiring: filterBody redacts or refuses, and records response findings', async (t) => {
  const filter = createResponseDlpFilter(registryOf({ acme: redacting, globex: blocking, initech: off }));
  const ctx = contextFor('chat', { messages: [] });
  ctx.findings = [{ detector: 'email', count: 1, action: 'log', direction: 'request' }];
  const out = filter.filterBody(ctx, JSON.stringify(chat));
  t.notOk(out.includes('bob@corp'));
  t.same(ctx.findings, [
    { detector: 'email', count: 1, action: 'log', direction: 'request' },
    { detector: 'email', count: 2, action: 'redact', direction: 'response' },
  ]);
  t.equal(filter.filterBody(ctx, 'not json'), 'not json');

  const refused = contextFor('messages', { messages: [] }, 'globex');
  t.throws(() => filter.filterBody(refused, JSON.stringify({ content: [{ type: 'text', text: 'card 4539 1488 0343 6467' }] })), new GatewayError('dlp_blocked', 'Response blocked by data loss prevention: credit_card'));

  const quiet = contextFor('chat', { messages: [] }, 'initech');
  t.equal(filter.streamTransform(quiet), undefined, 'responses: off adds no stream transform');
  t.equal(filter.filterBody(quiet, JSON.stringify(chat)), JSON.stringify(chat));
  t.equal(filter.streamTransform(contextFor('embeddings', { input: 'x' })), undefined);

  const streaming = contextFor('messages', { messages: [], stream: true }, 'globex');
  const transform = filter.streamTransform(streaming);
  t.ok(transform);
  transform?.onEvent({ event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'card 4539 1488 0343 6467 ok' } }) });
  t.equal(streaming.error?.code, 'dlp_blocked', 'block mode marks the request failed with dlp_blocked');
  t.same(streaming.findings, [{ detector: 'credit_card', count: 1, action: 'block', direction: 'response' }]);
});
