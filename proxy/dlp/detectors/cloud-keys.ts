import { alt, ci, cls, lit, opt, seq, words } from './fragment.js';
import { looksLikePlaceholder, looksRandom } from './checks.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

export const awsAccessKeyId: DetectorSpec = {
  id: 'aws_access_key_id',
  summary: 'AWS access key ids (AKIA/ASIA/… + 16 characters)',
  before: '(?:^|[^A-Za-z0-9])',
  value: seq(words('AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA', 'APKA'), cls('[A-Z0-9]', 16)),
  after: '(?:[^A-Za-z0-9]|$)',
  // The documented example id ends in EXAMPLE; real ids are random base32.
  validate: (value) => (value.endsWith('EXAMPLE') || looksLikePlaceholder(value.slice(4)) ? REJECT : OK),
  retry: 'end',
};

const KEY_SEP = cls('[_.\\- ]', 0, 1);
/** `AWS_SECRET_ACCESS_KEY`, `aws_secret_key`, `aws-secret-access-key`, `SecretAccessKey`, … */
const SECRET_KEYWORD = ci(
  alt(
    seq(lit('aws'), KEY_SEP, lit('secret'), KEY_SEP, opt(seq(lit('access'), KEY_SEP)), lit('key')),
    seq(lit('secret'), KEY_SEP, lit('access'), KEY_SEP, lit('key')),
  ),
);
/** `=`, `:`, `=>`, `:=` (optionally quoted key and value), or the whitespace of a CLI flag. */
export const ASSIGNMENT = seq(cls(`["']`, 0, 1), alt(seq(cls('\\s', 0, 4), words('=>', ':=', '=', ':'), cls('\\s', 0, 4)), cls('\\s', 1, 4)), cls(`["']`, 0, 1));

export const awsSecretAccessKey: DetectorSpec = {
  id: 'aws_secret_access_key',
  summary: 'AWS secret access keys (40 base64 characters) right after an aws_secret_access_key-style keyword',
  anchor: seq(SECRET_KEYWORD, ASSIGNMENT),
  value: cls('[A-Za-z0-9/+]', 40),
  after: '(?:[^A-Za-z0-9/+=]|$)',
  validate: (value) => (value.includes('EXAMPLEKEY') || !looksRandom(value, 4) ? REJECT : OK),
  retry: 'end',
};

export const googleApiKey: DetectorSpec = {
  id: 'google_api_key',
  summary: 'Google API keys (AIza + 35 characters)',
  before: '(?:^|[^A-Za-z0-9_-])',
  value: seq(lit('AIza'), cls('[0-9A-Za-z_-]', 35)),
  after: '(?:[^A-Za-z0-9_-]|$)',
  validate: (value) => (looksRandom(value.slice(4), 3.5) ? OK : REJECT),
  retry: 'end',
};
