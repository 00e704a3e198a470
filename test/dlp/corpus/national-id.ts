import { roundRobin, whole, type Corpus, type Rng } from './rng.js';

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function area(rng: Rng): string {
  let a = 0;
  do a = rng.int(1, 899);
  while (a === 666);
  return pad(a, 3);
}

const ssn = (a: string, g: string, s: string, sep: string): string => `${a}${sep}${g}${sep}${s}`;

export const usSsnCorpus: Corpus = {
  detector: 'us_ssn',
  positives: (rng, n) =>
    Array.from({ length: n }, () => {
      let value = '';
      do value = ssn(area(rng), pad(rng.int(1, 99), 2), pad(rng.int(1, 9999), 4), rng.pick(['-', ' ']));
      while (['078-05-1120', '219-09-9999', '123-45-6789'].includes(value.replaceAll(' ', '-')));
      return whole(value);
    }),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => ssn('000', pad(rng.int(1, 99), 2), pad(rng.int(1, 9999), 4), '-'),
      () => ssn('666', pad(rng.int(1, 99), 2), pad(rng.int(1, 9999), 4), '-'),
      () => ssn(String(rng.int(900, 999)), pad(rng.int(1, 99), 2), pad(rng.int(1, 9999), 4), rng.pick(['-', ' '])),
      () => ssn(area(rng), '00', pad(rng.int(1, 9999), 4), '-'),
      () => ssn(area(rng), pad(rng.int(1, 99), 2), '0000', '-'),
      () => rng.pick(['078-05-1120', '219-09-9999', '123-45-6789']),
      () => `${area(rng)}${pad(rng.int(1, 99), 2)}${pad(rng.int(1, 9999), 4)}`,
      () => `${area(rng)}-${pad(rng.int(1, 999), 3)}-${pad(rng.int(1, 999), 3)}`,
      () => `${area(rng)}-${pad(rng.int(1, 99), 2)}-${pad(rng.int(1, 9999), 4)}-${rng.int(10, 99)}`,
    ]),
};
