import t from 'tap';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { createResponseDlpTransform } from '../../proxy/dlp/response-filter.js';
import { SseParser, serializeSseEvent } from '../../proxy/providers/sse.js';
import type { SseEvent } from '../../proxy/providers/sse-types.js';
import { BUILTIN_DETECTOR_IDS } from '../../proxy/dlp/detectors/index.js';
import { MAX_HOLD_BACK } from '../../proxy/dlp/scanner.js';
import { BUILDERS, at, responsesWholeTexts, streamedText, type StreamRoute } from './stream-events.js';

const everything = Object.fromEntries(BUILTIN_DETECTOR_IDS.map((id) => [id, 'log' as const]));
const redacting = compileTenantDlp('acme', { detectors: everything, custom: [], responses: 'redact' });
const blocking = compileTenantDlp('acme', { detectors: everything, custom: [], responses: 'block' });
const ROUTES: readonly StreamRoute[] = ['chat', 'messages', 'responses'];

const CARD = '4539 1488 0343 6467';
const TEXT = `Sure. The card on file is ${CARD}, expiring soon.`;
const EXPECTED = 'Sure. The card on file is [REDACTED:credit_card], expiring soon.';
/** Any four consecutive digits of the card, as they would leak. */
const LEAKS = ['4539', '1488', '0343', '6467', '45391488', '39 14', '8 03'];

function run(route: StreamRoute, events: readonly SseEvent[], dlp = redacting): { out: SseEvent[]; transform: ReturnType<typeof createResponseDlpTransform> } {
  const transform = createResponseDlpTransform(dlp, route);
  const out: SseEvent[] = [];
  for (const event of events) out.push(...transform.onEvent(event));
  out.push(...transform.onEnd());
  return { out, transform };
}

const leaked = (events: readonly SseEvent[]): string[] => LEAKS.filter((piece) => events.some((e) => e.data.includes(piece)));

for (const route of ROUTES) {
  t.test(`${route}: a card split across two events at every offset never reaches the client in the clear`, async (t) => {
    const failures: string[] = [];
    for (let k = 0; k <= TEXT.length; k++) {
      const { out, transform } = run(route, BUILDERS[route]([TEXT.slice(0, k), TEXT.slice(k)]));
      const text = streamedText(route, out);
      if (text !== EXPECTED || leaked(out).length > 0) failures.push(`split at ${k}: ${JSON.stringify(text)} leaks ${leaked(out).join(',')}`);
      if (route === 'responses' && responsesWholeTexts(out).some((whole) => whole !== EXPECTED)) failures.push(`split at ${k}: done/completed texts ${JSON.stringify(responsesWholeTexts(out))}`);
      if (transform.findings().length !== 1 || transform.findings()[0]?.count !== 1) failures.push(`split at ${k}: findings ${JSON.stringify(transform.findings())}`);
    }
    t.same(failures, [], `all ${TEXT.length + 1} split points`);
    const { transform } = run(route, BUILDERS[route]([TEXT]));
    t.same(transform.findings(), [{ detector: 'credit_card', count: 1, action: 'redact', direction: 'response' }]);
  });

  t.test(`${route}: raw SSE bytes split at every byte offset (evasive card, multi-byte text)`, async (t) => {
    const text = 'Voilà — la carte ４５３９ 14\u200b88 0343 6467 est enregistrée. ✓';
    const words = text.split(/(?<= )/);
    const wire = Buffer.from(BUILDERS[route](words).map(serializeSseEvent).join(''), 'utf8');
    const failures: string[] = [];
    for (let k = 0; k <= wire.length; k++) {
      const parser = new SseParser();
      const events = [...parser.push(wire.subarray(0, k)), ...parser.push(wire.subarray(k)), ...parser.end()];
      const { out } = run(route, events);
      const got = streamedText(route, out);
      if (got !== 'Voilà — la carte [REDACTED:credit_card] est enregistrée. ✓' || leaked(out).length > 0) failures.push(`byte ${k}: ${got}`);
    }
    t.same(failures.slice(0, 5), [], `all ${wire.length + 1} byte offsets`);
  });

  t.test(`${route}: block mode ends the stream with an error event before any matched text`, async (t) => {
    const deltas = ['Your ', 'card: 4539 14', '88 0343 6467', ' done', ' and more'];
    const { out, transform } = run(route, BUILDERS[route](deltas), blocking);
    t.same(leaked(out), []);
    t.equal(transform.blocked, true);
    const last = out[out.length - 1] as SseEvent;
    const error = JSON.parse(last.data) as unknown;
    const message = 'Response blocked by data loss prevention: credit_card';
    if (route === 'chat') {
      t.equal(last.event, undefined);
      t.same(error, { error: { message, type: 'invalid_request_error', code: 'dlp_blocked', param: null } });
    } else if (route === 'messages') {
      t.equal(last.event, 'error');
      t.same(error, { type: 'error', error: { type: 'invalid_request_error', message, code: 'dlp_blocked' } }, 'the one Anthropic in-stream error frame: same fields as the non-stream error body');
    } else {
      t.equal(last.event, 'error');
      t.match(error, { type: 'error', code: 'dlp_blocked', message, error: { code: 'dlp_blocked', message } });
      const seqs = out.map((e) => at(JSON.parse(e.data), 'sequence_number'));
      t.same(seqs, seqs.map((_, i) => i), 'sequence numbers stay gap-free up to the error');
    }
    t.notOk(out.some((e) => e.data === '[DONE]' || e.data.includes('message_stop') || e.data.includes('response.completed')), 'terminal frames are swallowed');
    t.same(transform.findings(), [{ detector: 'credit_card', count: 1, action: 'block', direction: 'response' }]);
    t.same(transform.onEvent({ data: '{"x":1}' }), [], 'events after the block are dropped');
  });
}

t.test('text that cannot start a match flows on at once', async (t) => {
  const transform = createResponseDlpTransform(redacting, 'chat');
  const push = (content: string): string => streamedText('chat', transform.onEvent({ data: JSON.stringify({ choices: [{ index: 0, delta: { content } }] }) }));
  t.equal(push('Hello there, how are you? '), 'Hello there, how are you? ', 'a finished sentence is not held');
  t.equal(push('The number is 45'), 'The number is ', 'digits that may become a card are held');
  t.equal(push('39 1488 0343 6467 and'), '[REDACTED:credit_card] ', 'released once complete; the trailing word is held');
  t.equal(push(' bye. '), 'and bye. ');
});

t.test('hold-back is bounded even for an endless token-like run', async (t) => {
  const redactor = redacting.createStreamRedactor();
  let released = 0;
  const chunk = 'eyJ' + 'A'.repeat(997);
  for (let i = 0; i < 100; i++) released += redactor.push(chunk).text.length;
  t.ok(redactor.heldLength <= MAX_HOLD_BACK, `held ${redactor.heldLength} ≤ ${MAX_HOLD_BACK}`);
  t.equal(released + redactor.heldLength, 100 * 1000);
});

t.test('Responses: synthetic deltas keep sequence numbers consecutive; done texts match the deltas', async (t) => {
  const deltas = ['Mail ', 'bob@corp', '.example.org', ' or call', ' +1 415 555 2671'];
  const { out } = run('responses', BUILDERS.responses(deltas));
  const expected = 'Mail [REDACTED:email] or call [REDACTED:phone]';
  t.equal(streamedText('responses', out), expected);
  t.same(responsesWholeTexts(out), [expected, expected, expected, expected]);
  const seqs = out.map((e) => at(JSON.parse(e.data), 'sequence_number'));
  t.same(seqs, seqs.map((_, i) => i));
});

t.test('tool-call arguments are redacted in chat and Anthropic streams', async (t) => {
  const chat = createResponseDlpTransform(redacting, 'chat');
  const call = (args: string, finish: string | null = null): SseEvent => ({ data: JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] }, finish_reason: finish }] }) });
  const out = [...chat.onEvent(call('{"to":"bob@co')), ...chat.onEvent(call('rp.io"}')), ...chat.onEvent({ data: JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }) })];
  const args = out.map((e) => at(JSON.parse(e.data), 'choices', 0, 'delta', 'tool_calls', 0, 'function', 'arguments') ?? '').join('');
  t.equal(args, '{"to":"[REDACTED:email]"}');

  const anthropic = createResponseDlpTransform(redacting, 'messages');
  const delta = (partial: string): SseEvent => ({ event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: partial } }) });
  const events = [
    ...anthropic.onEvent({ event: 'content_block_start', data: JSON.stringify({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'tu', name: 'mail', input: {} } }) }),
    ...anthropic.onEvent(delta('{"to": "bob@')),
    ...anthropic.onEvent(delta('corp.io"}')),
    ...anthropic.onEvent({ event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index: 1 }) }),
  ];
  const json = events.map((e) => at(JSON.parse(e.data), 'delta', 'partial_json') ?? '').join('');
  t.equal(json, '{"to": "[REDACTED:email]"}');
  t.equal(events[events.length - 1]?.event, 'content_block_stop', 'held text is flushed before the block stops');
});

t.test('off mode and routes without text pass events through untouched', async (t) => {
  const off = compileTenantDlp('acme', { detectors: everything, custom: [], responses: 'off' });
  const events = BUILDERS.chat([TEXT]);
  t.same(run('chat', events, off).out, events);
  t.same(run('embeddings' as StreamRoute, events).out, events);
});
