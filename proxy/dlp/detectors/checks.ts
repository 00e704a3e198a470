/**
 * Checksums and plausibility checks shared by the detector validators. Pure functions on short
 * candidate strings; nothing here runs a pattern.
 */

/** Luhn (mod 10) over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 13616 mod-97 over a compact IBAN (country + check digits moved to the end, letters as 10..35). */
export function ibanMod97(compact: string): number {
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    if (code >= 48 && code <= 57) rest = (rest * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) rest = (rest * 100 + (code - 55)) % 97;
    else return -1;
  }
  return rest;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(text: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 (0-9A-Za-z) encoding left-padded to `width`, as GitHub token checksums are written. */
export function base62(value: number, width: number): string {
  let out = '';
  let n = value;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...text].length;
  for (const c of counts.values()) {
    const p = c / n;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Filler words of documentation values; checked per word so random key bodies never trip them. */
const PLACEHOLDER_PREFIXES = ['your', 'example', 'placeholder', 'redacted', 'dummy', 'sample', 'changeme', 'insert', 'replace'];
const PLACEHOLDER_WORDS = new Set(['here', 'fake', 'todo', 'none', 'null', 'undefined', 'xxx', 'abc', 'abcd', 'test', 'mykey', 'secret', 'password', 'token']);

/**
 * True for values that are obviously not real secrets: a run of six equal characters, template
 * syntax, or a filler word between separators (`sk-your-key-here`, `AKIAXXXXXXXXXXXXXXXX`,
 * `${DB_PASSWORD}`, `<token>`).
 */
export function looksLikePlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower.includes('${') || lower.includes('{{') || lower.includes('%(') || lower.includes('<') || lower.includes('process.env') || lower.includes('os.environ')) return true;
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    run = value[i] === value[i - 1] ? run + 1 : 1;
    if (run >= 6) return true;
  }
  let word = '';
  for (let i = 0; i <= lower.length; i++) {
    const code = i < lower.length ? lower.charCodeAt(i) : 0;
    if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) {
      word += lower[i];
      continue;
    }
    if (word.length > 0 && (PLACEHOLDER_WORDS.has(word) || PLACEHOLDER_PREFIXES.some((p) => word.startsWith(p)))) return true;
    word = '';
  }
  return false;
}

/** Random-looking enough to be a key: entropy per character at least `minBits`, and no placeholder. */
export function looksRandom(value: string, minBits: number): boolean {
  return !looksLikePlaceholder(value) && shannonEntropy(value) >= minBits;
}

/** Decodes base64url (no padding required) to UTF-8 text, or undefined when it is not base64url. */
export function base64UrlText(segment: string): string | undefined {
  if (segment.length % 4 === 1) return undefined;
  try {
    return Buffer.from(segment, 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}

/** The ASCII digits of a candidate, in order (separators dropped). */
export function digitsOf(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) out += value[i];
  }
  return out;
}
