import { randomFillSync } from 'node:crypto';

/**
 * Random 32-bit words for v7 ids, drawn from a 4 KiB pool refilled in one call: uuidv7's default
 * source makes one crypto call per word (several per id), which cost more than the policy rules
 * themselves on the hot path. Same CSPRNG, fewer calls.
 */
export class PooledRandom {
  readonly #pool = new Uint32Array(1024);
  #next = this.#pool.length;

  nextUint32(): number {
    if (this.#next === this.#pool.length) {
      randomFillSync(this.#pool);
      this.#next = 0;
    }
    return this.#pool[this.#next++] as number;
  }
}
