import { DIGITS, LOWER, roundRobin, whole, type Corpus, type Rng } from './rng.js';

const TLDS = ['com', 'org', 'net', 'io', 'de', 'fr', 'dev', 'co.uk', 'com.au', 'technology'];

function local(rng: Rng): string {
  const alphabet = LOWER + DIGITS + LOWER.toUpperCase();
  let out = rng.chars(alphabet, rng.int(1, 12));
  if (rng.next() < 0.5) out += rng.pick(['.', '_', '+', '-', '%']) + rng.chars(alphabet, rng.int(1, 10));
  return out;
}

function domain(rng: Rng): string {
  const labels = Array.from({ length: rng.int(1, 3) }, () => rng.chars(LOWER + DIGITS, rng.int(2, 12)));
  return `${labels.join('.')}.${rng.pick(TLDS)}`;
}

export const emailCorpus: Corpus = {
  detector: 'email',
  positives: (rng, n) => Array.from({ length: n }, () => whole(`${local(rng)}@${domain(rng)}`)),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `${local(rng)}@localhost`,
      () => `${local(rng)}@@${domain(rng)}`,
      () => `${local(rng)}.@${domain(rng)}`,
      () => `${rng.chars(LOWER, 4)}..${rng.chars(LOWER, 4)}@${domain(rng)}`,
      () => `${local(rng)}@${rng.chars(LOWER, 6)}`,
      () => `${local(rng)}@-${rng.chars(LOWER, 6)}.com`,
      () => `${local(rng)}@${rng.chars(LOWER, 6)}.c`,
      () => `${local(rng)} at ${rng.chars(LOWER, 6)} dot com`,
      () => `${local(rng)}@.${rng.chars(LOWER, 6)}.com`,
      () => `@${domain(rng)}`,
      () => `${local(rng)}@${rng.chars(LOWER, 5)}.${rng.digits(3)}`,
      () => `${local(rng)}@${rng.chars(LOWER, 4)}_${rng.chars(LOWER, 4)}.com`,
    ]),
};

/** A valid NANP number: area and exchange NXX, not N11, never the 555-01XX fiction range. */
function nanp(rng: Rng): [string, string, string] {
  let area = '';
  do area = `${rng.int(2, 9)}${rng.digits(2)}`;
  while (area.endsWith('11'));
  let exchange = '';
  do exchange = `${rng.int(2, 9)}${rng.digits(2)}`;
  while (exchange.endsWith('11') || exchange === '555');
  return [area, exchange, rng.digits(4)];
}

export const phoneCorpus: Corpus = {
  detector: 'phone',
  positives: (rng, n) =>
    roundRobin(n, [
      () => {
        const [a, e, l] = nanp(rng);
        return whole(`(${a}) ${e}-${l}`);
      },
      () => whole(nanp(rng).join('-')),
      () => whole(nanp(rng).join('.')),
      () => whole(`+1 ${nanp(rng).join(' ')}`),
      () => whole(`+1-${nanp(rng).join('-')}`),
      () => whole(`1-${nanp(rng).join('-')}`),
      () => whole(`+44 20 ${rng.digits(4)} ${rng.digits(4)}`),
      () => whole(`+44 7${rng.digits(3)} ${rng.digits(6)}`),
      () => whole(`020 ${rng.digits(4)} ${rng.digits(4)}`),
      () => whole(`07${rng.digits(3)} ${rng.digits(6)}`),
      () => whole(`+49 30 ${rng.digits(8)}`),
      () => whole(`030 ${rng.digits(8)}`),
      () => whole(`+33 ${rng.int(1, 9)} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)}`),
      () => whole(`0${rng.int(1, 9)} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)} ${rng.digits(2)}`),
      () => whole(`+${rng.int(2, 9)}${rng.digits(1)}${rng.digits(rng.int(8, 11))}`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `555-01${rng.digits(2)}`,
      () => `(${rng.int(2, 9)}${rng.digits(2)}) 555-01${rng.digits(2)}`,
      () => `(1${rng.digits(2)}) ${rng.int(2, 9)}${rng.digits(2)}-${rng.digits(4)}`,
      () => `(0${rng.digits(2)}) ${rng.int(2, 9)}${rng.digits(2)}-${rng.digits(4)}`,
      () => `${rng.int(2, 9)}${rng.digits(9)}`,
      () => `+1 ${rng.int(2, 9)}${rng.digits(2)} ${rng.int(2, 9)}${rng.digits(2)} ${rng.digits(3)}`,
      () => `+0${rng.digits(10)}`,
      () => `+${rng.int(1, 9)}${rng.digits(17)}`,
      () => `20${rng.digits(2)}-${rng.int(10, 12)}-${rng.int(10, 28)}`,
      () => `${rng.int(10, 28)}.${rng.int(10, 12)}.20${rng.digits(2)}`,
      () => `${rng.int(10, 23)}:${rng.int(10, 59)}:${rng.int(10, 59)}`,
      () => `v${rng.int(1, 9)}.${rng.int(0, 20)}.${rng.digits(4)}`,
      () => `order #${rng.int(1, 9)}${rng.digits(11)}`,
      () => `0${rng.int(1, 9)}${rng.digits(2)} ${rng.digits(2)}`,
    ]),
};
