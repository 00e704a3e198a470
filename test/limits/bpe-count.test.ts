import t from 'tap';
import fc from 'fast-check';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countBpe, MAX_RUN, TokenCountCache } from '../../proxy/limits/bpe-count.js';
import { estimateBodyInputTokens } from '../../proxy/limits/token-estimate.js';

const prose = 'The quick brown fox jumps over the lazy dog while the budget ledger counts every token. ';

t.test('ordinary text is counted exactly as the tokenizer counts it', async (t) => {
  const text = prose.repeat(40) + ' 日本語のテキストです。 emoji 🎉🎉 and code: const x = [1, 2, 3];\n\n';
  t.equal(countBpe('o200k', text), countTokens(text));
  t.equal(countBpe('cl100k', text), countCl100k(text));
  t.equal(countBpe('o200k', ''), 0);
  fc.assert(
    fc.property(fc.array(fc.constantFrom('word', ' ', '\n', 'Ünïcödé', '42', '!?', '🎉', '\t'), { maxLength: 200 }), (parts) => {
      const text = parts.join('');
      // No run of one character class reaches MAX_RUN here, so nothing is cut.
      return countBpe('o200k', text) === countTokens(text);
    }),
  );
});

t.test('hostile runs (one huge pre-token) are cut, so counting stays fast and does not undercount', async (t) => {
  for (const [name, run] of [
    ['spaces', ' '],
    ['letters', 'a'],
    ['newlines', '\n'],
    ['punctuation', '!'],
    ['CJK', '語'],
    ['emoji', '🎉'],
  ] as const) {
    const text = run.repeat(200_000 / run.length);
    const started = performance.now();
    const n = countBpe('o200k', text);
    const ms = performance.now() - started;
    // The uncut tokenizer takes ~27 s on 200,000 spaces; cut, it is milliseconds.
    t.ok(ms < 2_000, `${name}: ${ms.toFixed(0)} ms`);
    const whole = countTokens(run.repeat(MAX_RUN * 4 / run.length));
    t.ok(n >= Math.floor((text.length / (MAX_RUN * 4)) * whole), `${name}: ${n} tokens, not fewer than the uncut count of its pieces`);
  }
  const pair = '🎉'.repeat(MAX_RUN);
  t.equal(countBpe('o200k', pair), countBpe('o200k', pair), 'a surrogate pair is never cut in half (no throw, stable)');
});

t.test('the cache answers repeated parts per tenant, bounded by the characters it holds', async (t) => {
  const cache = new TokenCountCache(3_000);
  const system = prose.repeat(5);
  t.equal(cache.count('acme', 'o200k', system), countTokens(system));
  const held = cache.chars;
  t.ok(held > system.length, 'a part long enough is remembered');
  t.equal(cache.count('acme', 'o200k', system), countTokens(system), 'a hit gives the same count');
  t.equal(cache.chars, held, 'a hit adds nothing');
  cache.count('beta', 'o200k', system);
  t.ok(cache.chars > held, "another tenant's identical text is its own entry, never a hit on acme's");
  t.equal(cache.count('acme', 'o200k', 'user'), countTokens('user'));
  const withShort = cache.chars;
  t.ok(withShort - 2 * held > 'acme\u0000o200k\u0000user'.length, 'a short part (a role name) is remembered too, and held at more than its characters');
  t.equal(cache.count('acme', 'o200k', 'user'), countTokens('user'));
  t.equal(cache.chars, withShort, '…and then answered from memory');
  for (let i = 0; i < 200; i++) cache.count('acme', 'o200k', `w${i}`);
  t.ok(cache.chars <= 3_000, `many short parts stay within the bound (${cache.chars})`);
  for (let i = 0; i < 20; i++) cache.count('acme', 'o200k', `${i} ${prose.repeat(3)}`);
  t.ok(cache.chars <= 3_000, `stays within its bound (${cache.chars})`);
});

t.test('the estimate counts each part on its own, with or without the cache', async (t) => {
  const body = { messages: [{ role: 'system', content: prose.repeat(3) }, { role: 'user', content: prose.repeat(7) }] };
  const cache = new TokenCountCache();
  const plain = estimateBodyInputTokens('chat', body, 'gpt-4o-mini');
  const parts = ['system', prose.repeat(3), 'user', prose.repeat(7)].reduce((n, text) => n + countTokens(text), 0);
  t.equal(plain, parts + 2 * 4 + 3, 'roles and contents, each on its own, + 4 per message + 3 for the reply primer');
  t.equal(estimateBodyInputTokens('chat', body, 'gpt-4o-mini', { cache, tenant: 'acme' }), plain);
  t.equal(estimateBodyInputTokens('chat', body, 'gpt-4o-mini', { cache, tenant: 'acme' }), plain, 'the same from the cache');
});
