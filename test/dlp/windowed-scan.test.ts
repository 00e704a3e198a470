import t from 'tap';
import { CORPORA, Rng } from './corpus/index.js';
import { compileBuiltin } from '../../proxy/dlp/compiled-detector.js';
import { BUILTIN_DETECTOR_IDS } from '../../proxy/dlp/detectors/index.js';
import { Scanner } from '../../proxy/dlp/scanner.js';

/**
 * Long texts are scanned window by window after the first RE2.Set pass. The windowed scan must
 * report exactly what one full pass per detector reports, wherever the matches fall (window
 * starts, overlaps, ends), in ASCII and in multi-byte text.
 */
const detectors = BUILTIN_DETECTOR_IDS.map((id) => compileBuiltin(id)).filter((d) => d !== undefined);
const windowed = new Scanner(detectors);
const full = new Scanner(detectors, { windowed: false });
const FILLERS = [
  'The build promotes the image once every check is green; see section 3.2 of the plan. ',
  'Revenue grew 12.5% in Q3 (2024-09-30), churn stayed below 2%. ',
  'Les résultats du trimestre — 日本語のテキストも含む — sont bons ✓. ',
  'x ',
];

t.test('windowed and full exact passes agree on long mixed texts', async (t) => {
  const rng = new Rng(31337);
  const pools = CORPORA.map((c) => c.positives(rng, 20).map((s) => s.text));
  for (let round = 0; round < 40; round++) {
    let text = '';
    const target = rng.int(9 * 1024, 80 * 1024);
    while (text.length < target) {
      text += rng.pick(FILLERS).repeat(rng.int(1, 30));
      if (rng.next() < 0.5) text += rng.pick(rng.pick(pools)) + rng.pick([' ', '\n', '. ', ', ']);
    }
    const a = windowed.scan(text);
    const b = full.scan(text);
    t.same(a, b, `round ${round}: ${text.length} chars, ${b.length} matches`);
  }
});

t.test('matches exactly on window boundaries are found once', async (t) => {
  const card = '4539 1488 0343 6467';
  for (const at of [2040, 2046, 2047, 2048, 2049, 3070, 3072, 4095, 4096, 6144 - 10]) {
    const text = 'a'.repeat(at) + ' ' + card + ' ' + 'b '.repeat(6000);
    const found = windowed.scan(text).filter((m) => m.detector === 'credit_card');
    t.same(found.map((m) => text.slice(m.start, m.end)), [card], `card at ${at}`);
  }
});
