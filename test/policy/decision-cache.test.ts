// The decision cache holds one second's inputs: a new second forgets them, and neither one
// tenant nor all of them together can grow it past its bounds.
import t from 'tap';
import { DecisionCache } from '../../proxy/policy/decision-cache.js';

const allow = { allow: true, reasons: ['ok'] };
const deny = { allow: false, reasons: ['no'] };

t.test('a decision is served for the same input in the same second only', async (t) => {
  const cache = new DecisionCache();
  t.equal(cache.get('14:05:00', '{"a":1}'), undefined, 'nothing before the first set');
  cache.set('14:05:00', 'acme', '{"a":1}', allow);
  cache.set('14:05:00', 'acme', '{"a":2}', deny);
  t.equal(cache.get('14:05:00', '{"a":1}'), allow);
  t.equal(cache.get('14:05:00', '{"a":2}'), deny);
  t.equal(cache.get('14:05:00', '{"a":3}'), undefined, 'another input is a miss');
  t.equal(cache.get('14:05:01', '{"a":1}'), undefined, 'the next second starts empty');
  t.equal(cache.size, 0, 'and the old second is forgotten');
  cache.set('14:05:00', 'acme', '{"a":1}', allow);
  t.equal(cache.size, 0, 'a decision of a second that is over is not kept');
});

t.test('one tenant cannot take more than its share, and the whole cache is bounded', async (t) => {
  const cache = new DecisionCache({ maxEntries: 10, maxPerTenant: 4 });
  cache.get('s', '');
  for (let i = 0; i < 8; i++) cache.set('s', 'busy', `busy-${i}`, allow);
  t.equal(cache.size, 4, 'the busy tenant holds four');
  t.equal(cache.get('s', 'busy-5'), undefined);
  cache.set('s', 'quiet', 'quiet-0', deny);
  t.equal(cache.get('s', 'quiet-0'), deny, 'another tenant still gets a slot');
  for (let tenant = 0; tenant < 5; tenant++) for (let i = 0; i < 4; i++) cache.set('s', `t${tenant}`, `t${tenant}-${i}`, allow);
  t.equal(cache.size, 10, 'never more than maxEntries');
  cache.clear();
  t.equal(cache.size, 0);
  cache.set('s', 'busy', 'busy-9', allow);
  t.equal(cache.get('s', 'busy-9'), allow, 'clearing also resets the per-tenant counts');
});
