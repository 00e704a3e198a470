// A text sent again is answered from the tenant's cache with exactly the matches a fresh scan
// finds; short texts, texts with many matches and the least recently used ones are not kept.
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { ScanCache } from '../../proxy/dlp/scan-cache.js';
import { Scanner } from '../../proxy/dlp/scanner.js';
import { compileBuiltin, type CompiledDetector } from '../../proxy/dlp/compiled-detector.js';

const detectors = ['email', 'credit_card', 'openai_api_key', 'us_ssn'].map((id) => compileBuiltin(id) as CompiledDetector);

/** The real scanner, counting the texts it is asked to scan. */
class CountingScanner extends Scanner {
  scans = 0;
  override scan(text: string): ReturnType<Scanner['scan']> {
    this.scans++;
    return super.scan(text);
  }
}

const prose = 'The quarterly report is attached; please review the numbers before the meeting on Thursday. ';
const withEmail = `${prose}Questions go to finance.team@example.com and nowhere else. ${prose}`;

t.test('a repeated text is scanned once and gets the same matches', async (t) => {
  const scanner = new CountingScanner(detectors);
  const cache = new ScanCache();
  const first = cache.scan(scanner, withEmail);
  const again = cache.scan(scanner, withEmail);
  t.equal(scanner.scans, 1);
  t.same(again, first);
  t.same(first, new Scanner(detectors).scan(withEmail));
  t.equal(first.length, 1);
  t.ok(Object.isFrozen(again), 'a remembered result cannot be changed by one caller');
  cache.scan(scanner, `${withEmail}!`);
  t.equal(scanner.scans, 2, 'a text that differs by one character is scanned');
});

t.test('short texts and texts with many matches are scanned every time', async (t) => {
  const scanner = new CountingScanner(detectors);
  const cache = new ScanCache();
  cache.scan(scanner, 'mail me at a.b@example.com');
  cache.scan(scanner, 'mail me at a.b@example.com');
  t.equal(scanner.scans, 2);
  const many = Array.from({ length: 20 }, (_, i) => `user${i}@example.com`).join(', ');
  t.equal(cache.scan(scanner, many).length, 20);
  t.equal(cache.scan(scanner, many).length, 20);
  t.equal(scanner.scans, 4);
  t.equal(cache.size, 0);
});

t.test('the least recently used text goes first', async (t) => {
  const scanner = new CountingScanner(detectors);
  const cache = new ScanCache(2);
  const [a, b, c] = ['a', 'b', 'c'].map((tag) => `${tag}: ${withEmail}`) as [string, string, string];
  cache.scan(scanner, a);
  cache.scan(scanner, b);
  cache.scan(scanner, a);
  cache.scan(scanner, c);
  t.equal(scanner.scans, 3);
  t.equal(cache.size, 2);
  cache.scan(scanner, a);
  t.equal(scanner.scans, 3, 'a was used lately and stayed');
  cache.scan(scanner, b);
  t.equal(scanner.scans, 4, 'b was the oldest and went');
});

t.test('cached and fresh scans agree on any text', async (t) => {
  const piece = fc.constantFrom(prose, 'ops@example.org ', '4111 1111 1111 1111 ', 'sk-proj-' + 'a1B2'.repeat(12) + ' ', '123-45-6789 ', 'ünïcödé 😀 ', ' ');
  const fresh = new Scanner(detectors);
  const cache = new ScanCache(8);
  const scanner = new Scanner(detectors);
  const agree = fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), (pieces) => {
    const text = pieces.join('');
    const expected = fresh.scan(text);
    return isDeepStrictEqual(cache.scan(scanner, text), expected) && isDeepStrictEqual(cache.scan(scanner, text), expected);
  });
  t.doesNotThrow(() => fc.assert(agree, { numRuns: 200 }));
});
