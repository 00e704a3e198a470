import t from 'tap';
import fc from 'fast-check';
import { isHttpUrl, parseDataUrl, toDataUrl } from '../../proxy/translate/data-url.js';

/** `data:` URLs: how OpenAI image parts carry inline bytes, read without a RegExp (prompt data). */

t.test('base64 data URLs split into a lower-cased media type and the data; anything else is not inline', async (t) => {
  t.same(parseDataUrl('data:Image/PNG;base64,iVBORw0KGgo='), { mediaType: 'image/png', data: 'iVBORw0KGgo=' });
  t.same(parseDataUrl('data:application/pdf;base64,'), { mediaType: 'application/pdf', data: '' }, 'empty data is still a data URL');
  for (const url of ['https://example.com/a.png', 'data:image/png,rawbytes', 'data:;base64,AAAA', 'data:image/png;charset=x;base64,AAAA', 'data:image/png;base64', 'DATA:image/png;base64,AA']) {
    t.equal(parseDataUrl(url), undefined, url);
  }
});

t.test('property: any media type and base64 payload round-trip through toDataUrl and parseDataUrl', async (t) => {
  const token = fc.stringMatching(/^[a-z0-9.+-]{1,20}$/);
  fc.assert(fc.property(token, token, fc.base64String(), (type, sub, data) => {
    const parsed = parseDataUrl(toDataUrl(`${type}/${sub}`, data));
    return parsed?.mediaType === `${type}/${sub}` && parsed.data === data;
  }));
  t.pass('round-trips');
});

t.test('only http(s) URLs are URLs a provider fetches itself', async (t) => {
  t.ok(isHttpUrl('https://example.com/a.png'));
  t.ok(isHttpUrl('http://example.com/a.png'));
  t.notOk(isHttpUrl('ftp://example.com/a.png'));
  t.notOk(isHttpUrl('file:///etc/passwd'));
  t.notOk(isHttpUrl('data:image/png;base64,AA'));
});
