import type { Fragment } from './fragment.js';

/** What a validator says about a candidate value. */
export interface Verdict {
  readonly ok: boolean;
  /** A well-known test value (e.g. a card network's published test number): still a finding, flagged. */
  readonly test?: boolean;
  /** When only a prefix of the candidate is the real value (an IBAN glued to more letters): its length. */
  readonly length?: number;
}

/**
 * A built-in detector. The RE2 pattern is `before` + `anchor` + (value) + `after`; group 1 is the
 * value, the only span that is redacted. `before`/`after` are boundary contexts (RE2 has no
 * lookaround, so they consume one character; the scanner resumes at the value's end).
 */
export interface DetectorSpec {
  readonly id: string;
  /** One line for docs: what it matches. */
  readonly summary: string;
  readonly before?: string;
  /** Keyword context that must precede the value (`password=`). Part of the stream tail, never redacted. */
  readonly anchor?: Fragment;
  readonly value: Fragment;
  readonly after?: string;
  /** Checks what the pattern cannot express: checksums, entropy, documented example values. */
  readonly validate?: (value: string) => Verdict;
  /**
   * Stream hold-back bound for patterns with an unbounded part (JWTs, PEM blocks, keys): the
   * longest value worth holding back. Bounded patterns derive it from the pattern itself.
   */
  readonly maxLength?: number;
  /**
   * After a rejected candidate: `next` retries one character further (a shorter candidate may start
   * inside it, e.g. a card number after a longer digit group), `end` skips past it.
   */
  readonly retry: 'next' | 'end';
  /** A catch-all (generic secret): dropped where a specific detector matched the same text. */
  readonly fallback?: boolean;
}

export const OK: Verdict = { ok: true };
export const REJECT: Verdict = { ok: false };
