import t from 'tap';
import { SseParser, serializeSseEvent, serializeSseEvents } from '../../proxy/providers/sse.js';
import type { SseEvent } from '../../proxy/providers/sse-types.js';

const STREAM =
  '\uFEFF: keep-alive comment\r\n' +
  'event: message_start\r\ndata: {"type":"message_start","text":"héllo wörld"}\r\n\r\n' +
  'data: {"delta":"日本語 🎉 emoji"}\n\n' +
  'event: multi\ndata: line one\ndata: line two\ndata:no-space\n\n' +
  'id: 7\nretry: 1000\ndata: with id\r\r' +
  'event: ping\ndata\n\n' +
  ':comment only\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"type":"message_start","text":"héllo wörld"}' },
  { data: '{"delta":"日本語 🎉 emoji"}' },
  { event: 'multi', data: 'line one\nline two\nno-space' },
  { data: 'with id' },
  { event: 'ping', data: '' },
  { data: '[DONE]' },
];

function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const chunk of chunks) out.push(...parser.push(chunk));
  out.push(...parser.end());
  return out;
}

t.test('parses a whole stream: CRLF, CR, LF, comments, multi-line data, BOM, UTF-8', async (t) => {
  t.same(parseChunks([Buffer.from(STREAM, 'utf8')]), EXPECTED);
});

t.test('gives the same events for a split at every byte offset (inside CRLF and UTF-8 sequences too)', async (t) => {
  const bytes = Buffer.from(STREAM, 'utf8');
  let mismatches = 0;
  for (let i = 1; i < bytes.length; i++) {
    const events = parseChunks([bytes.subarray(0, i), bytes.subarray(i)]);
    if (JSON.stringify(events) !== JSON.stringify(EXPECTED)) mismatches++;
  }
  t.equal(mismatches, 0, `all ${bytes.length - 1} two-way splits agree`);
});

t.test('gives the same events when fed one byte at a time', async (t) => {
  const bytes = Buffer.from(STREAM, 'utf8');
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
  t.same(parseChunks(chunks), EXPECTED);
});

t.test('three-way splits around every multi-byte character', async (t) => {
  const bytes = Buffer.from(STREAM, 'utf8');
  let checked = 0;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) < 0x80) continue;
    for (const j of [i + 1, i + 2, i + 3]) {
      if (j >= bytes.length) continue;
      t.same(parseChunks([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]), EXPECTED);
      checked++;
    }
  }
  t.ok(checked > 10);
});

t.test('events are delivered as soon as their blank line arrives', async (t) => {
  const parser = new SseParser();
  t.same(parser.push(Buffer.from('data: a\n')), []);
  t.same(parser.push(Buffer.from('\n')), [{ data: 'a' }]);
  t.same(parser.push(Buffer.from('data: b\r')), []);
  // The CR already ended the line; the blank line is the next CR.
  t.same(parser.push(Buffer.from('\r')), [{ data: 'b' }]);
});

t.test('a final event without its blank line is flushed by end()', async (t) => {
  const parser = new SseParser();
  t.same(parser.push(Buffer.from('data: [DONE]')), []);
  t.same(parser.end(), [{ data: '[DONE]' }]);
});

t.test('an event with no data line is not dispatched', async (t) => {
  t.same(parseChunks([Buffer.from('event: lonely\n\ndata: x\n\n')]), [{ data: 'x' }]);
});

t.test('serializer round-trips through the parser', async (t) => {
  const events: SseEvent[] = [{ event: 'a', data: 'x' }, { data: 'multi\nline\r\nthree' }, { data: '' }, { event: 'e', data: '{"k":"ü"}' }];
  const text = serializeSseEvents(events);
  t.equal(serializeSseEvent({ data: 'x' }), 'data: x\n\n');
  t.equal(serializeSseEvent({ event: 'a', data: 'x' }), 'event: a\ndata: x\n\n');
  t.same(parseChunks([Buffer.from(text)]), [events[0], { data: 'multi\nline\nthree' }, events[2], events[3]]);
});
