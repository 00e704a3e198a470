import RE2 from 're2';
import type { CompiledDetector } from './compiled-detector.js';
import { normalizeForScan, originalOffset, originalRange, type NormalizedText } from './normalize.js';
import { Utf8Text } from './utf8-text.js';
import { runExactPass, wholeRange, type FoundMatch } from './exact-pass.js';

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

/** Texts from this many bytes are scanned window by window after the first Set pass. */
const WINDOWED_FROM = 8 * 1024;
const WINDOW = 2048;
/**
 * Windows overlap by the longest match (in bytes) of the detectors run per window, so every such
 * match lies whole in the window that owns its start; longer detectors get full passes.
 */
const WINDOW_OVERLAP = 1024;

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

  readonly #windowed: boolean;

  /** `windowed: false` forces one full exact pass per flagged detector (used to cross-check). */
  constructor(detectors: readonly CompiledDetector[], options: { windowed?: boolean } = {}) {
    this.detectors = detectors;
    this.#windowed = options.windowed !== false;
    this.#set = detectors.length === 0 ? undefined : new RE2.Set(detectors.map((d) => d.prefilter));
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
    const flagged = this.#flag(utf8.bytes);
    if (flagged.length === 0) return [];
    const found: FoundMatch[] = [];
    const size = utf8.bytes.length;
    if (!this.#windowed || size < WINDOWED_FROM) {
      for (const index of flagged) runExactPass(this.detectors[index] as CompiledDetector, view, utf8, wholeRange(utf8), found);
      return dropShadowedFallbacks(found);
    }
    // Long text: detectors whose matches fit in the window overlap run only on the windows the
    // Set flags for them, instead of a full pass each (a prompt with a dozen secrets would
    // otherwise cost one full pass per detector that matched anywhere).
    const local = new Set<number>();
    const bytesPerChar = utf8.ascii ? 1 : 4;
    for (const index of flagged) {
      const detector = this.detectors[index] as CompiledDetector;
      if ((detector.maxLength + 2) * bytesPerChar < WINDOW_OVERLAP) local.add(index);
      else runExactPass(detector, view, utf8, wholeRange(utf8), found);
    }
    if (local.size > 0) {
      for (let ownFrom = 0; ownFrom < size; ownFrom += WINDOW) {
        const range = { from: ownFrom === 0 ? 0 : utf8.charStartAt(ownFrom - 1), to: Math.min(size, ownFrom + WINDOW + WINDOW_OVERLAP), ownFrom, ownTo: ownFrom + WINDOW };
        for (const index of this.#flag(utf8.bytes.subarray(range.from, range.to))) {
          if (local.has(index)) runExactPass(this.detectors[index] as CompiledDetector, view, utf8, range, found);
        }
      }
    }
    return dropShadowedFallbacks(found);
  }

  /** Indexes of the detectors the one-pass RE2.Set says can match in `bytes`. */
  #flag(bytes: Buffer): number[] {
    try {
      return (this.#set as InstanceType<typeof RE2.Set>).match(bytes);
    } catch {
      // RE2.Set ran out of DFA memory: fall back to every detector, still linear.
      return this.detectors.map((_, i) => i);
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

/** Drops generic (fallback) matches that overlap a specific detector's match, and same-detector overlaps; sorts by position. */
function dropShadowedFallbacks(found: FoundMatch[]): ScanMatch[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  // Union of the specific matches as disjoint sorted intervals, for a binary-searched overlap test.
  const union: [number, number][] = [];
  for (const m of found) {
    if (m.fallback) continue;
    const last = union[union.length - 1];
    if (last && m.start <= last[1]) last[1] = Math.max(last[1], m.end);
    else union.push([m.start, m.end]);
  }
  const overlapsSpecific = (m: ScanMatch): boolean => {
    let lo = 0;
    let hi = union.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [start, end] = union[mid] as [number, number];
      if (end <= m.start) lo = mid + 1;
      else if (start >= m.end) hi = mid - 1;
      else return true;
    }
    return false;
  };
  const out: ScanMatch[] = [];
  // Neighbouring windows can both see candidates of one detector that overlap: keep the first.
  const lastEnd = new Map<string, number>();
  for (const m of found) {
    if (m.fallback && overlapsSpecific(m)) continue;
    if ((lastEnd.get(m.detector) ?? -1) > m.start) continue;
    lastEnd.set(m.detector, m.end);
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
