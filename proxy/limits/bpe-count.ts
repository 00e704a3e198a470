import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';

/**
 * Exact BPE token counts for OpenAI models, bounded in cost, and remembered per tenant.
 *
 * BPE merging is quadratic in the length of one pre-token: 200,000 spaces (or letters, or CJK
 * characters without a break) are a single pre-token and kept `gpt-tokenizer` busy for ~27 s on
 * the event loop. {@link countBpe} therefore cuts any run of one character class longer than
 * {@link MAX_RUN} characters into pieces and counts them one by one. Ordinary text has no such
 * runs and is counted exactly as before; a cut run counts at least as many tokens as the
 * tokenizer would give it whole, give or take one per cut.
 */
export type Encoding = 'o200k' | 'cl100k';

export const MAX_RUN = 128;

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

function countPiece(encoding: Encoding, text: string): number {
  // Special-token text (`<|endoftext|>`) in a prompt is data, not a control token: count it as text.
  return encoding === 'cl100k' ? countCl100k(text, NO_SPECIAL) : countO200k(text, NO_SPECIAL);
}

const WHITESPACE = 1;
const WORD = 2;
const DIGIT = 3;
const PUNCTUATION = 4;

/** The pre-tokenizer's coarse classes: letters and anything non-ASCII, digits, whitespace, the rest. */
function classOf(code: number): number {
  if (code === 32 || (code >= 9 && code <= 13)) return WHITESPACE;
  if (code >= 48 && code <= 57) return DIGIT;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 128) return WORD;
  return PUNCTUATION;
}

/** Token count of `text`, with runs over {@link MAX_RUN} characters counted in pieces (see the module comment). */
export function countBpe(encoding: Encoding, text: string): number {
  if (text.length === 0) return 0;
  if (text.length <= MAX_RUN) return countPiece(encoding, text);
  let total = 0;
  let pieceStart = 0;
  let runStart = 0;
  let runClass = classOf(text.charCodeAt(0));
  for (let i = 1; i < text.length; i++) {
    const cls = classOf(text.charCodeAt(i));
    if (cls !== runClass) {
      runClass = cls;
      runStart = i;
      continue;
    }
    // Never cut between the halves of a surrogate pair.
    if (i - runStart >= MAX_RUN && !isLowSurrogate(text.charCodeAt(i))) {
      total += countPiece(encoding, text.slice(pieceStart, i));
      pieceStart = i;
      runStart = i;
    }
  }
  return total + countPiece(encoding, pieceStart === 0 ? text : text.slice(pieceStart));
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * What an entry costs beyond its key's characters (the map's slot and the number), so that
 * many short parts (role names, one-word turns) cannot hold more memory than the bound says.
 */
const ENTRY_OVERHEAD_CHARS = 32;
/** Longer parts are rare repeats and would crowd out the many short ones that repeat. */
const MAX_CACHED_CHARS = 32 * 1024;

/**
 * Counts of recently seen prompt parts: a system prompt, a skill, the earlier turns a chat
 * resends with every message. Keys carry the tenant, so one tenant's texts never answer (or
 * time) another tenant's lookups. Bounded by the characters it holds, oldest out first.
 */
export class TokenCountCache {
  readonly #counts = new Map<string, number>();
  readonly #maxChars: number;
  #chars = 0;

  constructor(maxChars = 4 * 1024 * 1024) {
    this.#maxChars = maxChars;
  }

  count(tenant: string, encoding: Encoding, text: string): number {
    // Even a role name costs the tokenizer about a microsecond, twenty times a lookup.
    if (text.length > MAX_CACHED_CHARS) return countBpe(encoding, text);
    const key = `${tenant}\u0000${encoding}\u0000${text}`;
    const hit = this.#counts.get(key);
    if (hit !== undefined) {
      // Refresh its place: a part every request repeats must not age out.
      this.#counts.delete(key);
      this.#counts.set(key, hit);
      return hit;
    }
    const counted = countBpe(encoding, text);
    this.#counts.set(key, counted);
    this.#chars += key.length + ENTRY_OVERHEAD_CHARS;
    for (const oldest of this.#counts.keys()) {
      if (this.#chars <= this.#maxChars) break;
      this.#counts.delete(oldest);
      this.#chars -= oldest.length + ENTRY_OVERHEAD_CHARS;
    }
    return counted;
  }

  /** Characters held (keys included), for tests and metrics. */
  get chars(): number {
    return this.#chars;
  }
}
