import type { CompiledDetector } from './compiled-detector.js';
import { originalRange, type NormalizedText } from './normalize.js';
import type { ScanMatch } from './scanner.js';
import type { Utf8Text } from './utf8-text.js';

/** A match before generic ones are sorted out. */
export type FoundMatch = ScanMatch & { readonly fallback: boolean };

/**
 * The bytes an exact pass runs over, and which matches it reports: those whose start (the
 * keyword for anchored detectors, else the value) lies in [ownFrom, ownTo) and that do not touch
 * the end of the range unless it is the end of the text — a window must not report a match that
 * its neighbour sees whole.
 */
export interface PassRange {
  readonly from: number;
  readonly to: number;
  readonly ownFrom: number;
  readonly ownTo: number;
}

/** The whole text as one range. */
export function wholeRange(utf8: Utf8Text): PassRange {
  return { from: 0, to: utf8.bytes.length, ownFrom: 0, ownTo: utf8.bytes.length };
}

/**
 * One detector's exact pass: its own pattern over the bytes of `range`, then its validator on
 * each candidate. Matches go to `found` in ORIGINAL text coordinates.
 */
export function runExactPass(detector: CompiledDetector, view: NormalizedText, utf8: Utf8Text, range: PassRange, found: FoundMatch[]): void {
  const { re, valueGroup, validate, retry } = detector;
  const whole = range.from === 0 && range.to === utf8.bytes.length;
  const bytes = whole ? utf8.bytes : utf8.bytes.subarray(range.from, range.to);
  const base = range.from;
  const atTextEnd = range.to === utf8.bytes.length;
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(bytes);
    if (m === null) return;
    const span = m.indices?.[valueGroup];
    const from = base + m.index;
    if (!span || span[1] <= span[0]) {
      re.lastIndex = Math.max(re.lastIndex, utf8.nextCharByte(from) - base);
      continue;
    }
    const startByte = base + span[0];
    const endByte = base + span[1];
    const valueStart = utf8.charIndex(startByte);
    const valueEnd = utf8.charIndex(endByte);
    const verdict = validate ? validate(view.text.slice(valueStart, valueEnd)) : undefined;
    if (verdict && !verdict.ok) {
      re.lastIndex = (retry === 'next' ? utf8.nextCharByte(startByte) : Math.max(endByte, utf8.nextCharByte(from))) - base;
      continue;
    }
    const end = verdict?.length === undefined ? valueEnd : valueStart + verdict.length;
    const endAt = end === valueEnd ? endByte : utf8.byteIndex(end);
    const owner = detector.anchored ? from : startByte;
    if (owner >= range.ownFrom && owner < range.ownTo && (atTextEnd || endAt < range.to)) {
      const [start, originalEnd] = originalRange(view, valueStart, end);
      found.push({ detector: detector.id, start, end: originalEnd, test: verdict?.test === true, fallback: detector.fallback });
    }
    // Resume at the value's end: the boundary character after it may open the next match.
    re.lastIndex = Math.max(endAt, utf8.nextCharByte(from)) - base;
  }
}
