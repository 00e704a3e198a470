/** A seeded PRNG (mulberry32) so corpus runs are reproducible; a failure prints its seed. */
export class Rng {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)] as T;
  }

  chars(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }

  digits(n: number): string {
    return this.chars(DIGITS, n);
  }
}

export const DIGITS = '0123456789';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const ALNUM = UPPER + LOWER + DIGITS;
export const HEX = '0123456789abcdef';
export const B64 = ALNUM + '+/';
export const B64URL = ALNUM + '-_';

/** A generated true positive: `text` goes into a prompt, `value` is the span that must be found. */
export interface Sample {
  readonly text: string;
  readonly value: string;
}

/** A detector's generated corpus. */
export interface Corpus {
  readonly detector: string;
  positives(rng: Rng, n: number): Sample[];
  /** Look-alikes that should not be found (checksum-invalid, documented examples, wrong shape). */
  nearMisses(rng: Rng, n: number): string[];
}

/** Calls the makers round-robin until `n` values exist. */
export function roundRobin<T>(n: number, makers: readonly (() => T)[]): T[] {
  const out: T[] = [];
  for (let i = 0; out.length < n; i++) out.push((makers[i % makers.length] as () => T)());
  return out;
}

/** A sample whose whole text is the value. */
export function whole(value: string): Sample {
  return { text: value, value };
}
