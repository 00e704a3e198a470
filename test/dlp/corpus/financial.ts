import { ibanMod97, luhnValid } from '../../../proxy/dlp/detectors/checks.js';
import { ALNUM, DIGITS, UPPER, roundRobin, whole, type Corpus, type Rng } from './rng.js';

/** Appends the Luhn check digit to `body`. */
export function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** Same body with a wrong check digit. */
function withBadLuhn(body: string, rng: Rng): string {
  const good = Number(withLuhn(body).slice(-1));
  return body + ((good + rng.int(1, 9)) % 10);
}

const BRANDS: readonly { prefix: (rng: Rng) => string; length: number }[] = [
  { prefix: () => '4', length: 16 },
  { prefix: () => '4', length: 13 },
  { prefix: (rng) => String(rng.int(51, 55)), length: 16 },
  { prefix: (rng) => String(rng.int(2221, 2720)), length: 16 },
  { prefix: (rng) => rng.pick(['34', '37']), length: 15 },
  { prefix: () => '6011', length: 16 },
  { prefix: (rng) => String(rng.int(644, 649)), length: 16 },
  { prefix: (rng) => String(rng.int(3528, 3589)), length: 16 },
  { prefix: (rng) => rng.pick(['36', '38']), length: 14 },
  { prefix: () => '62', length: 19 },
];

function cardBody(rng: Rng): string {
  const brand = rng.pick(BRANDS);
  const prefix = brand.prefix(rng);
  return prefix + rng.digits(brand.length - prefix.length - 1);
}

/** Writes a 16-digit number as 4-4-4-4 (space or dash), 15 as Amex 4-6-5, else contiguous. */
export function formatCard(digits: string, rng: Rng): string {
  const style = rng.int(0, 2);
  if (style === 0) return digits;
  const sep = style === 1 ? ' ' : '-';
  if (digits.length === 16) return [0, 4, 8, 12].map((i) => digits.slice(i, i + 4)).join(sep);
  if (digits.length === 15) return [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10)].join(sep);
  return digits;
}

export const creditCardCorpus: Corpus = {
  detector: 'credit_card',
  positives: (rng, n) => Array.from({ length: n }, () => whole(formatCard(withLuhn(cardBody(rng)), rng))),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => formatCard(withBadLuhn(cardBody(rng), rng), rng),
      () => formatCard(withBadLuhn(cardBody(rng), rng), rng),
      // Luhn-valid, but no card network issues numbers starting 1, 7, 8 or 9 (timestamps, ids).
      () => withLuhn(String(rng.pick([1, 7, 8, 9])) + rng.digits(14)),
      // Luhn-valid, wrong length for the brand (Visa 15, Amex 16, Mastercard 14).
      () => withLuhn('4' + rng.digits(13)),
      () => withLuhn('37' + rng.digits(13)),
      () => withLuhn('5' + rng.int(1, 5) + rng.digits(11)),
      () => `${rng.digits(4)} ${rng.digits(4)} ${rng.digits(4)}`,
      () => `${rng.int(1, 9)}${rng.digits(20)}`,
    ]),
};

const IBAN_SHAPES: readonly { country: string; bban: (rng: Rng) => string }[] = [
  { country: 'DE', bban: (rng) => rng.digits(18) },
  { country: 'GB', bban: (rng) => rng.chars(UPPER, 4) + rng.digits(14) },
  { country: 'FR', bban: (rng) => rng.digits(10) + rng.chars(ALNUM.toUpperCase(), 11) + rng.digits(2) },
  { country: 'NL', bban: (rng) => rng.chars(UPPER, 4) + rng.digits(10) },
  { country: 'ES', bban: (rng) => rng.digits(20) },
  { country: 'IT', bban: (rng) => rng.chars(UPPER, 1) + rng.digits(10) + rng.chars(DIGITS + UPPER, 12) },
  { country: 'CH', bban: (rng) => rng.digits(17) },
  { country: 'NO', bban: (rng) => rng.digits(11) },
  { country: 'MT', bban: (rng) => rng.chars(UPPER, 4) + rng.digits(5) + rng.chars(DIGITS + UPPER, 18) },
  { country: 'BE', bban: (rng) => rng.digits(12) },
];

/** Builds a valid IBAN (check digits computed per ISO 13616). */
export function makeIban(rng: Rng): string {
  const shape = rng.pick(IBAN_SHAPES);
  const bban = shape.bban(rng);
  const check = 98 - ibanMod97(`${shape.country}00${bban}`);
  return `${shape.country}${String(check).padStart(2, '0')}${bban}`;
}

function grouped(iban: string): string {
  return iban.match(/.{1,4}/g)?.join(' ') ?? iban;
}

export const ibanCorpus: Corpus = {
  detector: 'iban',
  positives: (rng, n) => Array.from({ length: n }, () => whole(rng.next() < 0.5 ? makeIban(rng) : grouped(makeIban(rng)))),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => {
        const iban = makeIban(rng);
        const bad = String((Number(iban.slice(2, 4)) + rng.int(1, 50)) % 97 + 2).padStart(2, '0');
        return grouped(iban.slice(0, 2) + bad + iban.slice(4));
      },
      () => makeIban(rng).slice(0, -1),
      () => `ZZ${rng.digits(2)}${rng.digits(16)}`,
      () => `QX${rng.digits(2)} ${rng.digits(4)} ${rng.digits(4)} ${rng.digits(4)}`,
      () => `${rng.chars(UPPER, 2)}${rng.digits(2)}${rng.chars(UPPER, 6)}`,
    ]),
};
