import { randomFillSync } from 'node:crypto';
import { V7Generator } from 'uuidv7';

/**
 * Random bits for v7 ids drawn from a 4 KiB pool refilled in one call: the default source makes
 * one crypto call per id, which cost more than the policy rules themselves on the hot path.
 */
class PooledRandom {
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

const generator = new V7Generator(new PooledRandom());

/** A fresh, time-sortable UUIDv7 for one policy decision. */
export function newDecisionId(): string {
  return generator.generate().toString();
}
