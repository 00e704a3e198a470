import RE2 from 're2';
import type { DetectorSpec, Verdict } from './detectors/types.js';
import { BUILTIN_DETECTORS } from './detectors/index.js';

/** A detector ready to run: built-in or a tenant's custom pattern. */
export interface CompiledDetector {
  readonly id: string;
  /** Full RE2 source of the exact pass. */
  readonly source: string;
  /**
   * Superset pattern for the one-pass RE2.Set: the same shape with counted repetitions relaxed,
   * so the combined DFA stays small on adversarial input (digit or base64 soup).
   */
  readonly prefilter: RE2;
  /** Global + indices RE2 for the exact pass. */
  readonly re: RE2;
  /** Capture group of the value: 1 for built-ins, 0 (whole match) for custom patterns. */
  readonly valueGroup: 0 | 1;
  readonly validate: ((value: string) => Verdict) | undefined;
  readonly retry: 'next' | 'end';
  readonly fallback: boolean;
  /** RE2 source of the text that could still grow into a match at the end of a stream buffer. */
  readonly tail: string;
  /** Longest match, in characters (stream hold-back bound). */
  readonly maxLength: number;
  /** True when a keyword must precede the value (the tail then starts at the keyword). */
  readonly anchored: boolean;
}

/** How much text a custom pattern holds back in a stream: its matches have no known bound. */
export const CUSTOM_STREAM_WINDOW = 256;

const builtinCache = new Map<string, CompiledDetector>();

/** Compiles (once per process) the built-in detector `id`; undefined when there is none. */
export function compileBuiltin(id: string): CompiledDetector | undefined {
  const cached = builtinCache.get(id);
  if (cached) return cached;
  const spec: DetectorSpec | undefined = BUILTIN_DETECTORS.get(id);
  if (!spec) return undefined;
  const source = `${spec.before ?? ''}${spec.anchor?.source ?? ''}(${spec.value.source})${spec.after ?? ''}`;
  const tail = spec.anchor ? `(?:${spec.anchor.prefix}|${spec.anchor.loose}(?:${spec.value.prefix}))` : spec.value.prefix;
  const longest = (spec.anchor?.max ?? 0) + spec.value.max;
  const maxLength = Number.isFinite(longest) ? longest : spec.maxLength;
  if (maxLength === undefined) throw new Error(`detector ${id}: unbounded pattern needs maxLength`);
  const compiled: CompiledDetector = {
    id,
    source,
    prefilter: new RE2(`${spec.before ?? ''}${spec.anchor?.loose ?? ''}(?:${spec.value.loose})${spec.after ?? ''}`, 'gd'),
    re: new RE2(source, 'gd'),
    valueGroup: 1,
    validate: spec.validate,
    retry: spec.retry,
    fallback: spec.fallback === true,
    tail,
    maxLength,
    anchored: spec.anchor !== undefined,
  };
  builtinCache.set(id, compiled);
  return compiled;
}

/**
 * Whether a pattern may match whitespace, judged conservatively from its source: a literal
 * blank or control character, `.`, a negated class, a POSIX class, a non-ASCII literal, or an
 * escape that can stand for a blank (`\s`, `\W`, `\D`, `\p`, `\x…`, `\t`, octal, `\C`…).
 */
const MAY_MATCH_SPACE = new RE2('[^\\x21-\\x7e]|\\.|\\[\\^|\\[:|\\\\[sWDPpxuUtnrfvaC0-9QE]');

/** Compiles a tenant pattern; throws RE2's own SyntaxError when RE2 rejects it. */
export function compileCustom(name: string, pattern: string): CompiledDetector {
  const re = new RE2(pattern, 'gd');
  if (new RE2(pattern).test('')) throw new SyntaxError('pattern matches the empty string');
  // Matches that cannot contain a blank end at the last blank: hold only the last word, not a window.
  const tail = MAY_MATCH_SPACE.test(pattern) ? '[\\s\\S]+' : '\\S+';
  return { id: name, source: pattern, prefilter: re, re, valueGroup: 0, validate: undefined, retry: 'end', fallback: false, tail, maxLength: CUSTOM_STREAM_WINDOW, anchored: false };
}
