// The pooled source must stay random across refills: a pool served twice would repeat ids' random bits.
import t from 'tap';
import { PooledRandom } from '../../proxy/core/pooled-random.js';

t.test('words keep coming fresh across pool refills', async (t) => {
  const random = new PooledRandom();
  const words = Array.from({ length: 3_000 }, () => random.nextUint32());
  t.ok(words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff_ffff), 'unsigned 32-bit words');
  // 3,000 draws span three pools; repeating one would leave at most 1,024 distinct values.
  t.ok(new Set(words).size >= 2_995, `distinct: ${new Set(words).size} of 3000`);
  const highBits = words.filter((w) => w >= 0x8000_0000).length;
  t.ok(highBits > 1_300 && highBits < 1_700, `the top bit is set about half the time (${highBits})`);
});
