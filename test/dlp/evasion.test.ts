import t from 'tap';
import { CORPORA, Rng } from './corpus/index.js';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { BUILTIN_DETECTOR_IDS } from '../../proxy/dlp/detectors/index.js';
import { applyRedactions } from '../../proxy/dlp/scanner.js';
import { normalizeForScan } from '../../proxy/dlp/normalize.js';

/**
 * Evasion: the corpus positives with zero-width characters, full-width digits and Unicode tag
 * characters inserted are still caught, and redaction rewrites the ORIGINAL (evasive) text so
 * that no trace of the value survives, even after normalisation.
 */
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];

function insertAt(text: string, rng: Rng, count: number, make: () => string): string {
  const chars = [...text];
  for (let i = 0; i < count; i++) chars.splice(rng.int(1, chars.length - 1), 0, make());
  return chars.join('');
}

const EVASIONS: readonly { name: string; apply: (value: string, rng: Rng) => string }[] = [
  { name: 'zero-width characters', apply: (v, rng) => insertAt(v, rng, Math.min(6, v.length - 1), () => rng.pick(ZERO_WIDTH)) },
  { name: 'full-width digits', apply: (v) => [...v].map((c) => (c >= '0' && c <= '9' ? String.fromCharCode(0xff10 + c.charCodeAt(0) - 48) : c)).join('') },
  { name: 'tag characters', apply: (v, rng) => insertAt(v, rng, Math.min(4, v.length - 1), () => String.fromCodePoint(0xe0020 + rng.int(0, 0x5e))) },
  {
    name: 'all three at once',
    apply: (v, rng) => {
      const wide = [...v].map((c) => (c >= '0' && c <= '9' && rng.next() < 0.5 ? String.fromCharCode(0xff10 + c.charCodeAt(0) - 48) : c)).join('');
      return insertAt(insertAt(wide, rng, 3, () => rng.pick(ZERO_WIDTH)), rng, 2, () => String.fromCodePoint(0xe0041 + rng.int(0, 25)));
    },
  },
];

const all = compileTenantDlp('evasion', { detectors: Object.fromEntries(BUILTIN_DETECTOR_IDS.map((id) => [id, 'redact'])), custom: [], responses: 'off' });

for (const corpus of CORPORA) {
  t.test(corpus.detector, async (t) => {
    const rng = new Rng(0xe7a5 + corpus.detector.length);
    const positives = corpus.positives(rng, 100);
    for (const evasion of EVASIONS) {
      const missed: string[] = [];
      const leaked: string[] = [];
      for (const sample of positives) {
        const evasive = sample.text.replace(sample.value, evasion.apply(sample.value, rng));
        const text = `Look: ${evasive} ok`;
        const matches = all.scanText(text);
        if (!matches.some((m) => m.detector === corpus.detector)) {
          missed.push(JSON.stringify(evasive));
          continue;
        }
        const redacted = applyRedactions(text, matches);
        if (normalizeForScan(redacted).text.includes(sample.value) || !redacted.includes(`[REDACTED:`)) leaked.push(JSON.stringify(redacted));
      }
      t.same(missed.slice(0, 3), [], `${evasion.name}: all ${positives.length} caught`);
      t.same(leaked.slice(0, 3), [], `${evasion.name}: nothing left after redaction`);
    }
  });
}

t.test('normalisation keeps an exact map back to the original', async (t) => {
  const original = 'a\u200b４\u{E0031}2 e\u0301 ﬁ ①x';
  const view = normalizeForScan(original);
  t.equal(view.text, 'a42 é fi 1x');
  // Every normalized unit points into the original at the character it came from.
  t.equal(original.slice(view.starts?.[1], view.ends?.[1]), '４');
  t.equal(original.slice(view.starts?.[4], view.ends?.[4]), 'e\u0301');
  t.equal(original.slice(view.starts?.[6], view.ends?.[7]), 'ﬁ');
  t.same(normalizeForScan('plain ascii').starts, null, 'ASCII text takes the identity fast path');
  t.same(normalizeForScan('café “quoted”').starts, null, 'NFKC-stable text needs no map');
  t.equal(normalizeForScan('٤١١١ ۱۲').text, '4111 12', 'Arabic-Indic and Persian digits fold to ASCII');
});

t.test('segment-wise NFKC equals whole-string NFKC on mixed text', async (t) => {
  const rng = new Rng(99);
  const alphabet = ['a', 'e', '\u0301', '\u0308', 'ﬁ', '４', 'Ａ', '①', '\u1100', '\u1161', '\u11a8', 'ㄱ', '한', ' ', 'x', 'ẛ', '\u0323', 'ｶ', 'ﾞ'];
  for (let i = 0; i < 500; i++) {
    const text = Array.from({ length: rng.int(1, 12) }, () => rng.pick(alphabet)).join('');
    const expected = text.normalize('NFKC').replaceAll('\u2460', '1');
    t.equal(normalizeForScan(text).text, expected.replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)), JSON.stringify(text));
  }
});
