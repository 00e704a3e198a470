/**
 * A tiny builder for RE2 sources that also derives, for every pattern, the RE2 source of its
 * non-empty prefixes. The stream redactor uses that prefix language ("could this tail of the
 * buffer still grow into a match?") to hold back only text that can start a secret, instead of a
 * fixed window. Building both from one description keeps them consistent by construction.
 *
 * The prefix language and the `loose` source (the one-pass RE2.Set prefilter) are supersets:
 * large upper bounds of counted repetitions are dropped there (holding or flagging a little more
 * is safe; the length bound is applied separately from `max`). Such bounds make RE2's DFA track
 * one counter per possible start position; without them these automata stay small on long or
 * adversarial input.
 */
export interface Fragment {
  /** RE2 source matching the fragment (no capture groups unless made with `capture`). */
  readonly source: string;
  /** Relaxed source: same shape, large upper bounds of counts dropped (`{n,}`); matches a superset. */
  readonly loose: string;
  /** RE2 source matching (a superset of) every non-empty prefix of a string the fragment matches. */
  readonly prefix: string;
  /** Longest string the fragment matches, in characters (Infinity when unbounded). */
  readonly max: number;
}

const SPECIAL = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

function escapeChar(ch: string): string {
  return SPECIAL.has(ch) ? `\\${ch}` : ch;
}

/** Bounds up to this stay exact in the relaxed source: small counters do not blow up the DFA. */
const SMALL_COUNT = 8;

function count(lo: number, hi: number): string {
  if (hi === Infinity) return lo === 0 ? '*' : lo === 1 ? '+' : `{${lo},}`;
  if (lo === 1 && hi === 1) return '';
  if (lo === hi) return `{${lo}}`;
  if (lo === 0 && hi === 1) return '?';
  return `{${lo},${hi}}`;
}

/** A literal string. */
export function lit(text: string): Fragment {
  if (text.length === 0) throw new Error('lit() needs a non-empty string');
  const chars = [...text].map(escapeChar);
  let prefix = chars[chars.length - 1] as string;
  for (let i = chars.length - 2; i >= 0; i--) prefix = `${chars[i] as string}(?:${prefix})?`;
  const source = chars.join('');
  return { source, loose: source, prefix, max: chars.length };
}

/** A character class (or any single-character RE2 atom) repeated `min`..`max` times (`Infinity` = unbounded). */
export function cls(atom: string, min = 1, max = min): Fragment {
  if (max < 1 || max < min) throw new Error('cls() needs 1 <= max and min <= max');
  const loose = max <= SMALL_COUNT ? `${atom}${count(min, max)}` : `${atom}${count(min, Infinity)}`;
  return { source: `${atom}${count(min, max)}`, loose, prefix: `${atom}${max === 1 ? '' : '+'}`, max };
}

/** A sequence: the prefixes are a prefix of the first part, or the first part whole followed by a prefix of the rest. */
export function seq(...parts: Fragment[]): Fragment {
  if (parts.length === 0) throw new Error('seq() needs parts');
  if (parts.length === 1) return parts[0] as Fragment;
  const [head, ...rest] = parts as [Fragment, ...Fragment[]];
  const tail = seq(...rest);
  return {
    source: parts.map((p) => p.source).join(''),
    loose: parts.map((p) => p.loose).join(''),
    prefix: `(?:${head.prefix}|${head.loose}(?:${tail.prefix}))`,
    max: head.max + tail.max,
  };
}

/** Alternatives, tried in order (RE2 leftmost-first). */
export function alt(...parts: Fragment[]): Fragment {
  const join = (pick: (p: Fragment) => string): string => `(?:${parts.map(pick).join('|')})`;
  return { source: join((p) => p.source), loose: join((p) => p.loose), prefix: join((p) => p.prefix), max: Math.max(...parts.map((p) => p.max)) };
}

/** Zero or one occurrence. */
export function opt(part: Fragment): Fragment {
  return { source: `(?:${part.source})?`, loose: `(?:${part.loose})?`, prefix: part.prefix, max: part.max };
}

/** A group repeated `min`..`max` times (`Infinity` = unbounded): whole copies, then a prefix of one more. */
export function rep(part: Fragment, min: number, max: number): Fragment {
  return {
    source: `(?:${part.source})${count(min, max)}`,
    loose: `(?:${part.loose})${count(min, max <= SMALL_COUNT ? max : Infinity)}`,
    prefix: `(?:${part.loose})*(?:${part.prefix})`,
    max: part.max * max,
  };
}

/** Case-insensitive fragment. */
export function ci(part: Fragment): Fragment {
  return { source: `(?i:${part.source})`, loose: `(?i:${part.loose})`, prefix: `(?i:${part.prefix})`, max: part.max };
}

/** The capture group that holds the sensitive value (group 1 of a detector pattern). */
export function capture(part: Fragment): Fragment {
  return { source: `(${part.source})`, loose: part.loose, prefix: part.prefix, max: part.max };
}

/** Any of the literal words. */
export function words(...list: string[]): Fragment {
  return alt(...list.map(lit));
}
