import t from 'tap';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';

const dlp = compileTenantDlp('amex', { detectors: { credit_card: 'redact' }, custom: [], responses: 'off' });
const cards = (text: string): number => dlp.scanText(text).filter((m) => m.detector === 'credit_card').length;

t.test('issue15-7 amex-4-4-4-3-grouping: 15-digit cards written 4-4-4-3 are detected', async (t) => {
  t.equal(cards('card 3725 8595 7566 797 on file'), 1, 'Amex in spaces 4-4-4-3 (the issue example)');
  t.equal(cards('card 3782-8224-6310-005.'), 1, 'Amex test number in dashes 4-4-4-3');
  t.equal(cards('3714 4963 5398 431'), 1, 'Amex at the start and end of the text');
  t.equal(cards('3725 859575 66797'), 1, '4-6-5 still detected');
  t.equal(cards('372585957566797'), 1, 'ungrouped still detected');
  t.equal(cards('3725 8595 7566 798'), 0, 'a failing Luhn check is not a card');
  t.equal(cards('4111 1111 1111 111'), 0, 'a 15-digit number of a 16-digit brand is not a card');
  t.equal(cards('4111 1111 1111 1111'), 1, '4-4-4-4 unchanged');
  const redacted = dlp.scanRequest('chat', { messages: [{ role: 'user', content: 'pay with 3725 8595 7566 797 please' }] });
  t.same(redacted.redactedBody, { messages: [{ role: 'user', content: 'pay with [REDACTED:credit_card] please' }] }, 'redacted as a whole');
});
