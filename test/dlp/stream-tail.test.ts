import t from 'tap';
import RE2 from 're2';
import { CORPORA, Rng } from './corpus/index.js';
import { compileBuiltin } from '../../proxy/dlp/compiled-detector.js';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { BUILTIN_DETECTOR_IDS } from '../../proxy/dlp/detectors/index.js';
import { alt, ci, cls, lit, opt, rep, seq } from '../../proxy/dlp/detectors/fragment.js';

/**
 * The stream hold-back is only as good as each detector's tail pattern: every prefix of every
 * possible match must be recognised as "could still grow into a match", from its first
 * character (or its keyword). Checked here on the generated positives, prefix by prefix.
 */
const FILLER = 'Sure, here is what you asked for: ';

t.test('fragment prefixes match every non-empty prefix and reject what cannot grow into a match', async (t) => {
  const frag = seq(ci(lit('key')), opt(lit('_id')), cls('[:=]'), rep(alt(lit('ab'), cls('[0-9]', 2)), 1, 3));
  const full = new RE2(`^(?:${frag.source})$`);
  const prefix = new RE2(`^(?:${frag.prefix})$`);
  t.equal(frag.max, 3 + 3 + 1 + 6);
  for (const word of ['KEY_id=ab12', 'key:12ab', 'Key=ab']) {
    t.ok(full.test(word), word);
    for (let k = 1; k <= word.length; k++) t.ok(prefix.test(word.slice(0, k)), `prefix ${word.slice(0, k)}`);
  }
  for (const bad of ['x', 'kez', 'key_i:', 'key=a1', 'key=ab1x', 'key==']) t.notOk(prefix.test(bad), `not a prefix: ${bad}`);
  // Counts are relaxed in the prefix language (a superset: holding a bit more is safe).
  t.ok(prefix.test('key=ab12ab12ab'), 'relaxed repetition count');
});

for (const corpus of CORPORA) {
  t.test(`${corpus.detector}: every prefix of every positive is held`, async (t) => {
    const detector = compileBuiltin(corpus.detector);
    if (!detector) throw new Error('missing detector');
    const tail = new RE2(`(?:${detector.tail})$`);
    const positives = corpus.positives(new Rng(7), corpus.detector === 'private_key' ? 8 : 40);
    const failures: string[] = [];
    for (const sample of positives) {
      detector.re.lastIndex = 0;
      const match = detector.re.exec(sample.text);
      const valueStart = match?.indices?.[1]?.[0];
      if (!match || valueStart === undefined) throw new Error(`positive not matched: ${sample.text}`);
      // The hold must start where the detector needs to see text from: the keyword, or the value.
      const from = detector.anchored ? match.index : valueStart;
      const end = match.indices?.[1]?.[1] ?? sample.text.length;
      t.ok(end - from <= detector.maxLength, `${end - from} ≤ maxLength ${detector.maxLength}`);
      for (let k = from + 1; k <= end; k++) {
        const m = tail.exec(FILLER + sample.text.slice(0, k));
        if (m === null || m.index > FILLER.length + from) failures.push(JSON.stringify(sample.text.slice(0, k)));
      }
    }
    t.same(failures.slice(0, 3), [], 'no prefix would be released early');
  });
}

t.test('streaming every positive in random chunks never leaks it', async (t) => {
  const dlp = compileTenantDlp('acme', { detectors: Object.fromEntries(BUILTIN_DETECTOR_IDS.map((id) => [id, 'redact'])), custom: [], responses: 'redact' });
  const rng = new Rng(2024);
  for (const corpus of CORPORA) {
    const leaks: string[] = [];
    for (const sample of corpus.positives(rng, corpus.detector === 'private_key' ? 10 : 30)) {
      const text = `${FILLER}${sample.text} — and that is all.`;
      const redactor = dlp.createStreamRedactor();
      let out = '';
      for (let i = 0; i < text.length; ) {
        const n = rng.int(1, 9);
        out += redactor.push(text.slice(i, i + n)).text;
        i += n;
      }
      out += redactor.flush().text;
      if (out.includes(sample.value) || !out.includes(`[REDACTED:`)) leaks.push(out);
    }
    t.same(leaks.slice(0, 2), [], corpus.detector);
  }
});

t.test('custom patterns: a blank-free pattern holds only the last word', async (t) => {
  const dlp = compileTenantDlp('acme', { detectors: {}, custom: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }, { name: 'phrase', pattern: 'top secret', action: 'redact' }], responses: 'redact' });
  const wordOnly = compileTenantDlp('acme', { detectors: {}, custom: [{ name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' }], responses: 'redact' });
  const r1 = wordOnly.createStreamRedactor();
  t.equal(r1.push('code is PR').text, 'code is ');
  t.equal(r1.push('J-123').text, '');
  t.equal(r1.push('456 done').text, '[REDACTED:project_code] ');
  const r2 = dlp.createStreamRedactor();
  t.equal(r2.push('short').text, '', 'a pattern that may span blanks holds a window');
  const long = 'x'.repeat(1000);
  t.equal(r2.push(long).text.length + r2.heldLength, 1005);
  t.ok(r2.heldLength <= 256, 'the window is bounded');
  t.equal(r2.push(' top sec').text.includes('top'), false);
  t.equal(r2.flush().text.endsWith('x top sec'), true);
});
