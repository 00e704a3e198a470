import t from 'tap';
import { startRedisServer } from '../helpers/redis-server.js';
import { rateLimitContract } from './store-contract.js';
import { spendLedgerContract } from './ledger-contract.js';
import { stageContract } from './stage-contract.js';
import { redisBackend } from './redis-backend.js';

const redis = await startRedisServer(t);
const { backend, clientFor } = redisBackend(t, 'redis', redis.url, 5000);

rateLimitContract(backend);
spendLedgerContract(backend);
stageContract(backend);

t.test('redis: every key the contract left behind has a TTL (SCAN + PTTL), and keys are hash-tagged', async (t) => {
  const client = await clientFor(0);
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  t.ok(keys.length > 20, `the contract left ${keys.length} keys to check`);
  const noTtl: string[] = [];
  for (const key of keys) if ((await client.pttl(key)) < 0) noTtl.push(key);
  t.same(noTtl, [], 'no key without a TTL');
  const untagged = keys.filter((k) => !k.startsWith('wj:{'));
  t.same(untagged, [], 'every key is wj:{<tenant>}:…');
});

t.test('redis: months follow the server clock (offset measured with TIME)', async (t) => {
  const ledger = await backend.ledger({});
  const [sec] = await (await clientFor(0)).time();
  const month = new Date(Number(sec) * 1000).toISOString().slice(0, 7);
  t.equal(ledger.currentMonth(), month);
});
