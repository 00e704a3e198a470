import t from 'tap';
import { API_KEY_PREFIX, apiKeyHashesEqual, generateApiKey, hashApiKey, looksLikeApiKey, verifyApiKey } from '../../proxy/identity/api-keys.js';
import { Secret } from '../../proxy/identity/secret.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

t.test('generated keys are wj_ + 43 base62 characters and unique', async (t) => {
  const keys = Array.from({ length: 1000 }, () => generateApiKey());
  const malformed = keys.filter(
    (key) => key.length !== 46 || !key.startsWith(API_KEY_PREFIX) || ![...key.slice(3)].every((ch) => BASE62.includes(ch)) || !looksLikeApiKey(key),
  );
  t.same(malformed, []);
  t.equal(new Set(keys).size, 1000);
});

t.test('every base62 character is about equally likely (no modulo bias)', async (t) => {
  const counts = new Map<string, number>();
  const n = 3000;
  for (let i = 0; i < n; i++) for (const ch of generateApiKey().slice(3)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  t.equal(counts.size, 62);
  const expected = (n * 43) / 62; // about 2081, standard deviation about 45
  // With a `% 62` over raw bytes, '0'..'7' would be ~25% more frequent than the rest.
  const low = BASE62.slice(0, 8).split('').reduce((sum, ch) => sum + (counts.get(ch) ?? 0), 0) / 8;
  const high = BASE62.slice(8).split('').reduce((sum, ch) => sum + (counts.get(ch) ?? 0), 0) / 54;
  t.ok(Math.abs(low / high - 1) < 0.08, `first 8 vs others ratio ${(low / high).toFixed(3)}`);
  const outliers = [...counts].filter(([, count]) => count < expected * 0.75 || count > expected * 1.25);
  t.same(outliers, [], 'no character far from its expected count');
});

t.test('hashApiKey is SHA-256 hex, for strings and Secrets', async (t) => {
  t.equal(hashApiKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  t.equal(hashApiKey(new Secret('abc')), hashApiKey('abc'));
});

t.test('looksLikeApiKey tells keys from other credentials', async (t) => {
  const body = 'a'.repeat(43);
  t.ok(looksLikeApiKey(`wj_${body}`));
  t.ok(looksLikeApiKey(`wj_${'Z9'.repeat(40)}`), 'longer bodies are accepted');
  for (const value of ['', 'wj_', `wj_${'a'.repeat(42)}`, `WJ_${body}`, `wj-${body}`, `wj_${'a'.repeat(42)}-`, `wj_${'a'.repeat(42)}é`, `wj_${'a'.repeat(129)}`, 'sk-proj-abc', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig']) {
    t.notOk(looksLikeApiKey(value), JSON.stringify(value));
  }
});

t.test('hash comparison is by digest bytes and rejects anything but 64 lowercase hex', async (t) => {
  const key = generateApiKey();
  const hash = hashApiKey(key);
  t.ok(apiKeyHashesEqual(hash, hashApiKey(key)));
  t.notOk(apiKeyHashesEqual(hash, hashApiKey(generateApiKey())));
  t.notOk(apiKeyHashesEqual(hash, hash.toUpperCase()));
  t.notOk(apiKeyHashesEqual(hash, hash.slice(0, 62)));
  t.notOk(apiKeyHashesEqual('zz'.repeat(32), 'zz'.repeat(32)));
  t.ok(verifyApiKey(key, hash));
  t.ok(verifyApiKey(new Secret(key), hash));
  t.notOk(verifyApiKey(key + 'x', hash));
});
