// Spend ids (budget reservations and charges without one) are unique and, within a process,
// increasing: each new SQLite ledger row then lands beside the previous one in the id index.
import t from 'tap';
import { newSpendId } from '../../proxy/limits/spend-id.js';

t.test('ids of one process are unique and strictly increasing, across the counter’s digit boundaries', async (t) => {
  let previous = newSpendId();
  const seen = new Set([previous]);
  let outOfOrder = 0;
  // 50,000 ids cross the 1→2, 2→3 and 3→4 digit boundaries of the base-36 counter.
  for (let i = 0; i < 50_000; i++) {
    const id = newSpendId();
    if (id <= previous) outOfOrder++;
    seen.add(id);
    previous = id;
  }
  t.equal(outOfOrder, 0, 'every id sorts after the one before it');
  t.equal(seen.size, 50_001, 'no id repeats');
  t.match(previous, /^[A-Za-z0-9_-]{12}[0-9a-z]{11}$/, 'a 12-character process prefix and an 11-digit counter');
});
