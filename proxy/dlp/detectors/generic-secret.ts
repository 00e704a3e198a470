import { ci, cls, opt, seq, words } from './fragment.js';
import { looksLikePlaceholder, shannonEntropy } from './checks.js';
import { ASSIGNMENT } from './cloud-keys.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

const KEYWORD = ci(
  seq(
    words('password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'access_key', 'access-key', 'private_key', 'private-key', 'credentials', 'credential', 'bearer'),
    // `SECRET_KEY`, `token_secret`, `password_hash`: a short suffix naming the same thing.
    opt(seq(cls('[_.-]', 0, 1), words('key', 'token', 'secret', 'hash', 'value'))),
  ),
);

/** Minimum Shannon entropy of the value, in bits per character and in bits overall. */
export const GENERIC_MIN_BITS_PER_CHAR = 2.5;
export const GENERIC_MIN_TOTAL_BITS = 30;

export const genericSecret: DetectorSpec = {
  id: 'generic_secret',
  summary: 'a high-entropy value assigned to a secret-like keyword (password=, secret:, api_key=, token:, Bearer …)',
  anchor: seq(KEYWORD, ASSIGNMENT),
  value: cls('[^\\s"\'`,;<>&]', 8, Infinity),
  validate: validateGenericSecret,
  maxLength: 300,
  retry: 'end',
  fallback: true,
};

function validateGenericSecret(value: string): Verdict {
  if (value.length > 256 || looksLikePlaceholder(value)) return REJECT;
  const lower = value.toLowerCase();
  // Locations, not secrets: URLs without credentials and file paths.
  if ((lower.startsWith('http://') || lower.startsWith('https://')) && !value.includes('@')) return REJECT;
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('~/')) return REJECT;
  let classes = 0;
  let lowerSeen = false;
  let upperSeen = false;
  let digitSeen = false;
  let otherSeen = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lowerSeen = true;
    else if (c >= 65 && c <= 90) upperSeen = true;
    else if (c >= 48 && c <= 57) digitSeen = true;
    // Identifier punctuation does not make `my_secret_name` a password.
    else if (c !== 95 && c !== 45 && c !== 46) otherSeen = true;
  }
  classes = Number(lowerSeen) + Number(upperSeen) + Number(digitSeen) + Number(otherSeen);
  if (classes < 2) return REJECT;
  const bits = shannonEntropy(value);
  return bits >= GENERIC_MIN_BITS_PER_CHAR && bits * value.length >= GENERIC_MIN_TOTAL_BITS ? OK : REJECT;
}
