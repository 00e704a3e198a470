/**
 * JSON nesting depth, measured on the text before it is parsed. Every later pass over a request
 * body (the DLP walker, the token estimate, `structuredClone`, `JSON.stringify` in a translator)
 * is then bounded by the limit instead of by V8's stack: a body nested 5,000 deep used to answer
 * 500 with a `RangeError`, and one nested 40,000 deep froze the event loop. One linear scan, no
 * allocation; brackets inside strings (and escaped quotes) do not count.
 */

/** Default `server.maxJsonDepth`: deep enough for any real tool schema, far below V8's stack. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** True when `text` opens more than `maxDepth` nested objects/arrays at some point (malformed text is left to JSON.parse). */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}
