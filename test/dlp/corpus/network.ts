import { HEX, roundRobin, whole, type Corpus, type Rng } from './rng.js';

const octet = (rng: Rng): string => String(rng.int(0, 255));
const quad = (rng: Rng): string => [octet(rng), octet(rng), octet(rng), octet(rng)].join('.');

export const ipv4Corpus: Corpus = {
  detector: 'ipv4',
  positives: (rng, n) => Array.from({ length: n }, () => whole(quad(rng))),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `${rng.int(256, 999)}.${octet(rng)}.${octet(rng)}.${octet(rng)}`,
      () => `${octet(rng)}.${octet(rng)}.${octet(rng)}.${rng.int(256, 999)}`,
      () => `${octet(rng)}.${octet(rng)}.${octet(rng)}`,
      () => `${quad(rng)}.${octet(rng)}`,
      () => `0${rng.int(1, 9)}.0${rng.int(1, 9)}.${octet(rng)}.${octet(rng)}`,
      () => `v${quad(rng)}`,
      () => `${quad(rng)}a`,
    ]),
};

const group = (rng: Rng, min = 1): string => rng.chars(HEX, rng.int(min, 4));

export const ipv6Corpus: Corpus = {
  detector: 'ipv6',
  positives: (rng, n) =>
    roundRobin(n, [
      () => whole(Array.from({ length: 8 }, () => group(rng)).join(':')),
      () => whole(Array.from({ length: 8 }, () => group(rng)).join(':').toUpperCase()),
      () => whole(`${group(rng, 3)}:${group(rng)}::${group(rng)}`),
      () => whole(`fe80::${group(rng)}:${group(rng)}:${group(rng, 3)}`),
      () => whole(`2001:db8::${group(rng)}`),
      () => whole(`::ffff:${quad(rng)}`),
      () => whole(`${group(rng, 3)}::${group(rng)}:${group(rng)}`),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `${rng.int(10, 23)}:${rng.int(10, 59)}:${rng.int(10, 59)}`,
      () => Array.from({ length: 6 }, () => rng.chars(HEX, 2)).join(':'),
      () => '::1',
      () => `${rng.chars('abcdef', 1)}::${rng.chars('abcdef', 2)}`,
      () => `std::${rng.pick(['vector', 'string', 'map', 'cout'])}`,
      () => Array.from({ length: 9 }, () => group(rng)).join(':'),
      () => `${rng.chars(HEX, 5)}::${group(rng)}`,
      () => `${group(rng, 3)}::${group(rng)}::${group(rng)}`,
      () => `${group(rng, 3)}:${group(rng)}:${group(rng)}`,
    ]),
};
