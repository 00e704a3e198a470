import t from 'tap';
import { CORPORA, Rng } from './corpus/index.js';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { BUILTIN_DETECTOR_IDS } from '../../proxy/dlp/detectors/index.js';

/**
 * Generated corpora, one per built-in detector: 100 true positives (valid checksums, real
 * formats) must all be found with their exact span; 100 near misses (checksum-invalid numbers,
 * documented example keys, look-alikes) are counted and the false-positive rate printed.
 */
const SAMPLES = 100;
const PREFIX = 'Please check this: ';
const SUFFIX = ' (thanks).';
/** Near misses are designed to be rejected; a few may legitimately look valid, more is a regression. */
const MAX_FALSE_POSITIVE_RATE = 0.05;

function seedOf(name: string): number {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

t.test('every built-in detector has a corpus', async (t) => {
  t.same(CORPORA.map((c) => c.detector).sort(), [...BUILTIN_DETECTOR_IDS].sort());
});

const all = compileTenantDlp('corpus-all', { detectors: Object.fromEntries(BUILTIN_DETECTOR_IDS.map((id) => [id, 'redact'])), custom: [], responses: 'off' });

for (const corpus of CORPORA) {
  t.test(corpus.detector, async (t) => {
    const seed = seedOf(corpus.detector);
    const rng = new Rng(seed);
    const only = compileTenantDlp('corpus', { detectors: { [corpus.detector]: 'redact' }, custom: [], responses: 'off' });

    const positives = corpus.positives(rng, SAMPLES);
    t.equal(new Set(positives.map((p) => p.text)).size, SAMPLES, 'positives are distinct');
    const missed: string[] = [];
    const missedWithAll: string[] = [];
    for (const sample of positives) {
      const text = PREFIX + sample.text + SUFFIX;
      const start = PREFIX.length + sample.text.indexOf(sample.value);
      const end = start + sample.value.length;
      const exact = (m: { detector: string; start: number; end: number }): boolean => m.detector === corpus.detector && m.start === start && m.end === end;
      if (!only.scanText(text).some(exact)) missed.push(sample.text);
      if (!all.scanText(text).some(exact)) missedWithAll.push(sample.text);
    }
    t.same(missed, [], `recall 100% (seed ${seed})`);
    t.same(missedWithAll, [], 'still found with every detector enabled');

    const nearMisses = corpus.nearMisses(rng, SAMPLES);
    t.ok(nearMisses.length >= SAMPLES, `${nearMisses.length} near misses`);
    const falsePositives = nearMisses.filter((text) => only.scanText(PREFIX + text + SUFFIX).length > 0);
    const rate = falsePositives.length / nearMisses.length;
    t.comment(`${corpus.detector}: recall ${positives.length - missed.length}/${positives.length}, false positives ${falsePositives.length}/${nearMisses.length} (${(rate * 100).toFixed(1)}%)`);
    t.ok(rate <= MAX_FALSE_POSITIVE_RATE, `false-positive rate ${(rate * 100).toFixed(1)}% (examples: ${JSON.stringify(falsePositives.slice(0, 3))})`);
  });
}
