import RE2 from 're2';

/**
 * Evasion-resistant view of a text for the detectors: NFKC, default-ignorable characters
 * (zero-width spaces and joiners, bidi controls, variation selectors, Unicode tag characters
 * U+E0000–E007F, soft hyphen, …) removed, and every Unicode decimal digit folded to ASCII.
 * Detectors run on `text`; the offset maps send a match back to the ORIGINAL string, so
 * redaction rewrites what the client sent, at the right places.
 */
export interface NormalizedText {
  readonly original: string;
  readonly text: string;
  /** Original start of each normalized UTF-16 unit; null when `text === original` unit for unit. */
  readonly starts: Int32Array | null;
  /** Original end (exclusive) of each normalized UTF-16 unit; null with `starts`. */
  readonly ends: Int32Array | null;
}

const enum Kind {
  Unknown = 0,
  /** Passes through NFKC unchanged and starts a new segment. */
  Plain = 1,
  /** Combining mark or Hangul vowel/trailing jamo: joins the preceding segment. */
  Joiner = 2,
  /** Default-ignorable: dropped. */
  Ignorable = 3,
  /** Starts a segment that NFKC or digit folding changes. */
  Changes = 4,
}

let kinds: Uint8Array | undefined;
const digitValues = new Map<number, number>();
const MARK = new RE2('^\\p{M}$');
const DECIMAL = new RE2('^\\p{Nd}$');

function isIgnorable(cp: number): boolean {
  return (
    cp === 0xad || cp === 0x34f || cp === 0x61c || cp === 0x17b4 || cp === 0x17b5 || (cp >= 0x180b && cp <= 0x180f) ||
    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0x1bca0 && cp <= 0x1bca3) ||
    (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0000 && cp <= 0xe0fff)
  );
}

/** Decimal digits come in contiguous runs 0..9 (a Unicode stability guarantee): value = position in the run. */
function digitValue(cp: number): number {
  let value = digitValues.get(cp);
  if (value === undefined) {
    let below = 0;
    while (below < 100 && DECIMAL.test(String.fromCodePoint(cp - below - 1))) below++;
    value = below % 10;
    digitValues.set(cp, value);
  }
  return value;
}

/** Halfwidth ﾞ/ﾟ and the like decompose to a combining mark: they compose with what precedes them. */
function startsWithMark(decomposed: string): boolean {
  const first = decomposed.codePointAt(0);
  return first !== undefined && MARK.test(String.fromCodePoint(first));
}

function classify(cp: number): Kind {
  if (cp < 0x80) return Kind.Plain;
  if (cp >= 0xd800 && cp <= 0xdfff) return Kind.Plain; // lone surrogate: leave it alone
  kinds ??= new Uint8Array(0x110000);
  let kind = kinds[cp] as Kind;
  if (kind !== Kind.Unknown) return kind;
  const ch = String.fromCodePoint(cp);
  if (isIgnorable(cp)) kind = Kind.Ignorable;
  else if (MARK.test(ch) || (cp >= 0x1160 && cp <= 0x11ff) || (cp >= 0xd7b0 && cp <= 0xd7ff) || startsWithMark(ch.normalize('NFKD'))) kind = Kind.Joiner;
  else if (DECIMAL.test(ch) || ch.normalize('NFKC') !== ch) kind = Kind.Changes;
  else kind = Kind.Plain;
  kinds[cp] = kind;
  return kind;
}

function foldDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    out += cp >= 0x80 && DECIMAL.test(ch) ? String(digitValue(cp)) : ch;
  }
  return out;
}

function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/** True when some character needs the slow path (ignorable, joiner, or changed by NFKC/folding). */
function needsWork(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    const cp = text.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    if (classify(cp) !== Kind.Plain) return true;
  }
  return false;
}

/** Builds the scan view of `original` (cheap identity view for the common, clean case). */
export function normalizeForScan(original: string): NormalizedText {
  if (isAscii(original) || !needsWork(original)) return { original, text: original, starts: null, ends: null };
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let segStart = -1;
  let segEnd = -1;
  let seg = '';
  let segChanges = false;
  const flush = (): void => {
    if (segStart < 0) return;
    const out = segChanges ? foldDigits(seg.normalize('NFKC')) : seg;
    for (let k = 0; k < out.length; k++) {
      starts.push(segStart);
      ends.push(segEnd);
    }
    parts.push(out);
    segStart = -1;
  };
  for (let i = 0; i < original.length; ) {
    const cp = original.codePointAt(i) as number;
    const next = i + (cp > 0xffff ? 2 : 1);
    const kind = classify(cp);
    if (kind === Kind.Joiner && segStart >= 0) {
      seg += original.slice(i, next);
      segEnd = next;
      segChanges = true;
    } else if (kind !== Kind.Ignorable) {
      flush();
      segStart = i;
      segEnd = next;
      seg = original.slice(i, next);
      segChanges = kind !== Kind.Plain;
    }
    i = next;
  }
  flush();
  return { original, text: parts.join(''), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

/** Maps a normalized half-open range [start, end) back to the original string. */
export function originalRange(view: NormalizedText, start: number, end: number): [number, number] {
  if (!view.starts || !view.ends) return [start, end];
  const from = start < view.starts.length ? (view.starts[start] as number) : view.original.length;
  const to = end > 0 ? (view.ends[end - 1] as number) : 0;
  return [from, Math.max(from, to)];
}

/** Maps a normalized position to the original position of the same character (end maps to end). */
export function originalOffset(view: NormalizedText, index: number): number {
  if (!view.starts) return index;
  return index < view.starts.length ? (view.starts[index] as number) : view.original.length;
}
