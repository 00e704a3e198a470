import { alt, cls, opt, rep, seq } from './fragment.js';
import { digitsOf, ibanMod97, luhnValid } from './checks.js';
import { REJECT, type DetectorSpec, type Verdict } from './types.js';

const D4 = cls('[0-9]', 4);
const SEP = cls('[ -]');

export const creditCard: DetectorSpec = {
  id: 'credit_card',
  summary: 'payment card numbers (13–19 digits, known brand prefix and length, Luhn checksum)',
  before: '(?:^|[^0-9A-Za-z_])',
  value: alt(
    // 4-4-4-4 (Visa, Mastercard, Discover, JCB, …), optionally with a 1–3 digit fifth group (19-digit cards),
    // and 4-4-4-3, how 15-digit cards (Amex) are also written; the brand table decides the length.
    seq(D4, SEP, D4, SEP, D4, SEP, cls('[0-9]', 3, 4), opt(seq(SEP, cls('[0-9]', 1, 3)))),
    // 4-6-5 (Amex) and 4-6-4 (Diners).
    seq(D4, SEP, cls('[0-9]', 6), SEP, cls('[0-9]', 4, 5)),
    cls('[0-9]', 13, 19),
  ),
  after: '(?:[^0-9A-Za-z_]|$)',
  validate: validateCard,
  retry: 'next',
};

/** Published test numbers of the card networks and payment processors: reported, flagged as test. */
const TEST_NUMBERS = new Set([
  '4111111111111111', '4242424242424242', '4012888888881881', '4222222222222', '4000056655665556', '4000000000000002',
  '5555555555554444', '5105105105105100', '5200828282828210', '2223003122003222', '2223000048400011',
  '378282246310005', '371449635398431', '378734493671000',
  '6011111111111117', '6011000990139424', '6011000400000000',
  '3530111333300000', '3566002020360505', '30569309025904', '38520000023237', '36227206271667',
  '6200000000000005', '6759649826438453',
]);

interface Brand {
  readonly prefixes: readonly (readonly [number, number])[];
  readonly lengths: readonly number[];
}

const range = (lo: number, hi = lo): readonly [number, number] => [lo, hi];
const BRANDS: readonly Brand[] = [
  { prefixes: [range(4)], lengths: [13, 16, 19] }, // Visa
  { prefixes: [range(51, 55), range(2221, 2720)], lengths: [16] }, // Mastercard
  { prefixes: [range(34), range(37)], lengths: [15] }, // American Express
  { prefixes: [range(6011), range(644, 649), range(65), range(622126, 622925)], lengths: [16, 17, 18, 19] }, // Discover
  { prefixes: [range(300, 305), range(3095), range(36), range(38, 39)], lengths: [14, 15, 16, 17, 18, 19] }, // Diners
  { prefixes: [range(3528, 3589)], lengths: [16, 17, 18, 19] }, // JCB
  { prefixes: [range(62)], lengths: [16, 17, 18, 19] }, // UnionPay
  { prefixes: [range(2200, 2204)], lengths: [16, 17, 18, 19] }, // Mir
  { prefixes: [range(50), range(56, 58), range(6304), range(6759), range(6761, 6763)], lengths: [13, 14, 15, 16, 17, 18, 19] }, // Maestro
];

function brandMatches(digits: string): boolean {
  return BRANDS.some(
    (brand) =>
      brand.lengths.includes(digits.length) &&
      brand.prefixes.some(([lo, hi]) => {
        const width = String(lo).length;
        const head = Number(digits.slice(0, width));
        return head >= lo && head <= hi;
      }),
  );
}

function checkDigits(digits: string): Verdict {
  if (!brandMatches(digits) || !luhnValid(digits)) return REJECT;
  return TEST_NUMBERS.has(digits) ? { ok: true, test: true } : { ok: true };
}

function validateCard(value: string): Verdict {
  const digits = digitsOf(value);
  const whole = checkDigits(digits);
  if (whole.ok) return whole;
  // "4111 1111 1111 1111 12/25": the optional fifth group was an expiry month, not card digits.
  const lastSep = Math.max(value.lastIndexOf(' '), value.lastIndexOf('-'));
  if (digits.length > 16 && lastSep === 19) {
    const shorter = checkDigits(digits.slice(0, 16));
    if (shorter.ok) return { ...shorter, length: 19 };
  }
  return REJECT;
}

/** IBAN length per country (ISO 13616 registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23,
  GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19,
  SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

export const iban: DetectorSpec = {
  id: 'iban',
  summary: 'IBANs (country length table, mod-97 check), compact or in groups of four',
  before: '(?:^|[^0-9A-Za-z_])',
  value: seq(cls('[A-Z]', 2), cls('[0-9]', 2), rep(seq(cls(' ', 0, 1), cls('[A-Z0-9]', 4)), 2, 7), opt(seq(cls(' ', 0, 1), cls('[A-Z0-9]', 1, 3)))),
  validate: validateIban,
  retry: 'next',
};

function validateIban(value: string): Verdict {
  const expected = IBAN_LENGTHS[value.slice(0, 2)];
  if (expected === undefined) return REJECT;
  let compact = '';
  for (const ch of value) if (ch !== ' ') compact += ch;
  let length: number | undefined;
  if (compact.length > expected) {
    // A compact IBAN glued to a following word ("…3000ABCD"): keep the IBAN, not a number cut mid-group.
    const next = value.charCodeAt(expected);
    if (value.includes(' ') || next < 65 || next > 90) return REJECT;
    compact = compact.slice(0, expected);
    length = expected;
  }
  if (compact.length !== expected || ibanMod97(compact) !== 1) return REJECT;
  return length === undefined ? { ok: true } : { ok: true, length };
}
