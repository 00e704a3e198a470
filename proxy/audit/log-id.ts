import { V7Generator } from 'uuidv7';
import { PooledRandom } from '../core/pooled-random.js';

// Rollback allowance 0: the id's timestamp is always the record's own time (never a later
// request's), so the day in the key, the `time` field and the id agree, and `get(logId)` can
// find a record from its id alone. Ids of one millisecond still sort in creation order.
const generator = new V7Generator(new PooledRandom());
generator.setRollbackAllowance(0);

/** A new UUIDv7 whose timestamp is `timeMs` (the record's time). */
export function newLogId(timeMs: number): string {
  return generator.generateOrResetWithTs(Math.max(0, Math.floor(timeMs))).toString();
}
