import { alt, cls, lit, opt, rep, seq } from './fragment.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

const DOMAIN_LABEL = cls('[A-Za-z0-9-]', 1, Infinity);

/**
 * Lengths (local part ≤ 64, label ≤ 63, domain ≤ 253, TLD ≤ 24) are checked by the validator,
 * not with counted repetitions: `x{0,63}` at every start position makes RE2's DFA track 64
 * counters and crawl on long runs of word characters.
 */
export const email: DetectorSpec = {
  id: 'email',
  summary: 'e-mail addresses (local@domain.tld)',
  value: seq(
    cls('[A-Za-z0-9_%+]'),
    cls('[A-Za-z0-9._%+-]', 0, Infinity),
    lit('@'),
    DOMAIN_LABEL,
    rep(seq(lit('.'), DOMAIN_LABEL), 0, Infinity),
    lit('.'),
    cls('[A-Za-z]', 2, Infinity),
  ),
  after: '(?:[^A-Za-z0-9_-]|$)',
  validate: validateEmail,
  maxLength: 320,
  retry: 'end',
};

function validateEmail(value: string): Verdict {
  const at = value.indexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || local.endsWith('.') || local.includes('..')) return REJECT;
  if (domain.length > 253) return REJECT;
  const labels = domain.split('.');
  if ((labels[labels.length - 1] as string).length > 24) return REJECT;
  for (const label of labels) {
    if (label.length > 63 || label.startsWith('-') || label.endsWith('-')) return REJECT;
  }
  return OK;
}

const SEP = '[ .-]';

/** +<country><digits…> with spaces, dots, dashes or parentheses between digits. */
const international = seq(lit('+'), cls('[1-9]'), rep(seq(cls('[ .()/-]', 0, 2), cls('[0-9]')), 6, 14));
/** North American national formats: (415) 555-2671, 415-555-2671, 415.555.2671, 1-800-555-0199. */
const northAmerican = seq(
  opt(seq(lit('1'), cls(SEP))),
  alt(seq(lit('('), cls('[2-9]'), cls('[0-9]', 2), lit(')'), cls(' ', 0, 1)), seq(cls('[2-9]'), cls('[0-9]', 2), cls(SEP))),
  cls('[2-9]'),
  cls('[0-9]', 2),
  cls(SEP),
  cls('[0-9]', 4),
);
/** Trunk-prefix national formats: 020 7946 0958, 07911 123456, 030 12345678, 01 23 45 67 89. */
const trunk = alt(
  seq(lit('0'), cls('[1-9]'), rep(seq(cls(SEP), cls('[0-9]', 2)), 4, 4)),
  seq(lit('0'), cls('[1-9]'), cls('[0-9]', 1, 4), cls('[ /-]'), cls('[0-9]', 3, 8), opt(seq(cls('[ -]'), cls('[0-9]', 3, 4)))),
);

export const phone: DetectorSpec = {
  id: 'phone',
  summary: 'phone numbers: E.164 (+<country>…) and common national formats with separators',
  before: '(?:^|[^0-9A-Za-z_+(.-])',
  value: alt(international, northAmerican, trunk),
  after: '(?:[^0-9A-Za-z_]|$)',
  validate: validatePhone,
  retry: 'next',
};

function validatePhone(value: string): Verdict {
  let digits = '';
  let depth = 0;
  for (const ch of value) {
    if (ch >= '0' && ch <= '9') digits += ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return REJECT;
  }
  if (depth !== 0) return REJECT;
  if (value.startsWith('+')) {
    if (digits.length < 8 || digits.length > 15) return REJECT;
    return digits.startsWith('1') ? nanp(digits.slice(1)) : OK;
  }
  if (value.startsWith('0')) return digits.length >= 10 && digits.length <= 11 ? OK : REJECT;
  return nanp(digits.length === 11 ? digits.slice(1) : digits);
}

/** NANP: NXX-NXX-XXXX, no N11 area codes, and 555-0100..0199 is reserved for fiction. */
function nanp(digits: string): Verdict {
  if (digits.length !== 10) return REJECT;
  const area = digits.slice(0, 3);
  const exchange = digits.slice(3, 6);
  if (area[0] === '0' || area[0] === '1' || area.slice(1) === '11') return REJECT;
  if (exchange[0] === '0' || exchange[0] === '1') return REJECT;
  if (exchange === '555' && digits.slice(6, 8) === '01') return REJECT;
  return OK;
}
