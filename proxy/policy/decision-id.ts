import { V7Generator } from 'uuidv7';
import { PooledRandom } from '../core/pooled-random.js';

const generator = new V7Generator(new PooledRandom());

/** A fresh, time-sortable UUIDv7 for one policy decision. */
export function newDecisionId(): string {
  return generator.generate().toString();
}
