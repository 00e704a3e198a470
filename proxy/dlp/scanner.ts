import RE2 from 're2';
import type { CompiledDetector } from './compiled-detector.js';
import { normalizeForScan, originalOffset, originalRange, type NormalizedText } from './normalize.js';
import { Utf8Text } from './utf8-text.js';

/** One detector match, in ORIGINAL text coordinates (UTF-16 offsets), never carrying the text itself out. */
export interface ScanMatch {
  readonly detector: string;
  readonly start: number;
  readonly end: number;
  /** A published test value (e.g. card 4111 1111 1111 1111, Stripe sk_test_ keys). */
  readonly test: boolean;
}

/** Stream hold-back is never longer than this many characters, whatever the detectors say. */
export const MAX_HOLD_BACK = 16_384;

/**
 * Runs a fixed list of detectors over texts. One `RE2.Set` pass says which detectors can match
 * at all — on a clean prompt that is the whole cost — and only those run their own pattern and
 * validator. RE2 guarantees time linear in the input for every pattern, tenant ones included.
 */
export class Scanner {
  readonly detectors: readonly CompiledDetector[];
  readonly #set: InstanceType<typeof RE2.Set> | undefined;
  /** `(?:tail)$` per detector: which detectors could still be growing a match at the end… */
  readonly #tailSet: InstanceType<typeof RE2.Set> | undefined;
  /** …and, for those, where it would start. */
  readonly #tails: readonly RE2[];

  constructor(detectors: readonly CompiledDetector[]) {
    this.detectors = detectors;
    this.#set = detectors.length === 0 ? undefined : new RE2.Set(detectors.map((d) => d.re));
    const tails = detectors.map((d) => `(?:${d.tail})$`);
    this.#tailSet = detectors.length === 0 ? undefined : new RE2.Set(tails);
    this.#tails = tails.map((source) => new RE2(source));
  }

  /** All validated matches in `text` (original coordinates), generic ones dropped where a specific one matched. */
  scan(text: string): ScanMatch[] {
    if (!this.#set || text.length === 0) return [];
    return this.scanView(normalizeForScan(text));
  }

  /** Like `scan`, on a view already normalized (the stream redactor reuses it for the tail check). */
  scanView(view: NormalizedText): ScanMatch[] {
    if (!this.#set || view.text.length === 0) return [];
    const utf8 = new Utf8Text(view.text);
    let flagged: number[];
    try {
      flagged = this.#set.match(utf8.bytes);
    } catch {
      // RE2.Set ran out of DFA memory (huge input): fall back to every detector, still linear.
      flagged = this.detectors.map((_, i) => i);
    }
    if (flagged.length === 0) return [];
    const found: (ScanMatch & { fallback: boolean })[] = [];
    for (const index of flagged) this.#runDetector(this.detectors[index] as CompiledDetector, view, utf8, found);
    return dropShadowedFallbacks(found);
  }

  /** The exact pass of one flagged detector: its own pattern over the bytes, then its validator. */
  #runDetector(detector: CompiledDetector, view: NormalizedText, utf8: Utf8Text, found: (ScanMatch & { fallback: boolean })[]): void {
    const { re, valueGroup, validate, retry } = detector;
    re.lastIndex = 0;
    for (;;) {
      const m = re.exec(utf8.bytes);
      if (m === null) return;
      const span = m.indices?.[valueGroup];
      const from = m.index;
      if (!span || span[1] <= span[0]) {
        re.lastIndex = Math.max(re.lastIndex, utf8.nextCharByte(from));
        continue;
      }
      const [startByte, endByte] = span;
      const valueStart = utf8.charIndex(startByte);
      const valueEnd = utf8.charIndex(endByte);
      const verdict = validate ? validate(view.text.slice(valueStart, valueEnd)) : undefined;
      if (verdict && !verdict.ok) {
        re.lastIndex = retry === 'next' ? utf8.nextCharByte(startByte) : Math.max(endByte, utf8.nextCharByte(from));
        continue;
      }
      const end = verdict?.length === undefined ? valueEnd : valueStart + verdict.length;
      const [start, originalEnd] = originalRange(view, valueStart, end);
      found.push({ detector: detector.id, start, end: originalEnd, test: verdict?.test === true, fallback: detector.fallback });
      // Resume at the value's end: the boundary character after it may open the next match.
      const resume = end === valueEnd ? endByte : utf8.byteIndex(end);
      re.lastIndex = Math.max(resume, utf8.nextCharByte(from));
    }
  }

  /**
   * Where, in the original text, the longest suffix that could still grow into a match starts
   * (text.length when none can). Everything before it can be released to a stream client. Each
   * detector's candidate is bounded by its own longest match, measured on the normalized text so
   * that inserted invisible characters cannot stretch the window.
   */
  tailStart(view: NormalizedText): number {
    const text = view.text;
    if (!this.#tailSet || text.length === 0) return view.original.length;
    let hold = text.length;
    let live: number[];
    try {
      live = this.#tailSet.match(text);
    } catch {
      live = this.detectors.map((_, i) => i);
    }
    for (const index of live) {
      const from = Math.max(0, text.length - Math.min(MAX_HOLD_BACK, (this.detectors[index] as CompiledDetector).maxLength));
      const m = (this.#tails[index] as RE2).exec(from === 0 ? text : text.slice(from));
      if (m !== null) hold = Math.min(hold, from + m.index);
    }
    return originalOffset(view, hold);
  }
}

function dropShadowedFallbacks(found: (ScanMatch & { fallback: boolean })[]): ScanMatch[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const specific = found.filter((m) => !m.fallback);
  const out: ScanMatch[] = [];
  for (const m of found) {
    if (m.fallback && specific.some((s) => s.start < m.end && m.start < s.end)) continue;
    out.push({ detector: m.detector, start: m.start, end: m.end, test: m.test });
  }
  return out;
}

/** The replacement written where a match was. */
export function redactionLabel(detector: string): string {
  return `[REDACTED:${detector}]`;
}

/**
 * Replaces each match in `text` with `[REDACTED:<detector>]`. Overlapping matches merge into
 * one replacement named after the first (earliest, longest), so no part of either stays clear.
 */
export function applyRedactions(text: string, matches: readonly ScanMatch[]): string {
  if (matches.length === 0) return text;
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i] as ScanMatch;
    let end = first.end;
    i++;
    while (i < sorted.length && (sorted[i] as ScanMatch).start < end) end = Math.max(end, (sorted[i++] as ScanMatch).end);
    const start = Math.max(first.start, pos);
    out += text.slice(pos, start) + redactionLabel(first.detector);
    pos = Math.max(pos, end);
  }
  return out + text.slice(pos);
}
