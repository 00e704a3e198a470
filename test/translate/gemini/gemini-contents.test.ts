import t from 'tap';
import { callId, ContentsBuilder, mediaPart } from '../../../proxy/translate/gemini/gemini-contents.js';

/** Building Gemini `contents` (WIRE-GEMINI.md §2, §7): parts, turns, call ids and tool-result names. */

t.test('callId: fresh ids per call; a thought signature rides after the marker and comes back on the call', async (t) => {
  const a = callId('call_', 0, undefined);
  const b = callId('call_', 1, '');
  t.match(a, /^call_[0-9a-z]+$/);
  t.not(a, b, 'two calls never share an id');
  const signed = callId('toolu_', 2, 'U2lnbmF0dXJlPT0=');
  t.match(signed, /^toolu_[0-9a-z]+__thought__U2lnbmF0dXJlPT0=$/);
  const builder = new ContentsBuilder();
  builder.add('model', [builder.call(signed, 'f', { x: 1 })]);
  t.same(builder.contents, [{ role: 'model', parts: [{ functionCall: { name: 'f', args: { x: 1 } }, thoughtSignature: 'U2lnbmF0dXJlPT0=' }] }], 'the exact signature, on the same part');
});

t.test('mediaPart: a given media type wins over the extension; gs:// and http(s) are fetched by Gemini', async (t) => {
  t.same(mediaPart('https://example.com/download?id=1', 'p', 'image/png'), { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/download?id=1' } });
  t.same(mediaPart('gs://b/x.heic', 'p'), { fileData: { mimeType: 'image/heic', fileUri: 'gs://b/x.heic' } });
  t.same(mediaPart('http://example.com/x.jpeg', 'p'), { fileData: { mimeType: 'image/jpeg', fileUri: 'http://example.com/x.jpeg' } });
  t.same(mediaPart('data:audio/wav;base64,UklG', 'p'), { inlineData: { mimeType: 'audio/wav', data: 'UklG' } });
});

t.test('ContentsBuilder: empty text and empty turns are dropped (Gemini answers 400 to them); same-role turns merge', async (t) => {
  const builder = new ContentsBuilder();
  builder.add('user', [{ text: '' }]);
  builder.add('user', []);
  t.same(builder.contents, [], 'nothing to send');
  builder.add('user', [{ text: 'a' }, { text: '' }]);
  builder.add('user', [{ text: 'b' }]);
  builder.add('model', [{ text: 'c' }]);
  t.same(builder.contents, [{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }] }, { role: 'model', parts: [{ text: 'c' }] }]);
});
