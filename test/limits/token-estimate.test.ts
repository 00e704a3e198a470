import t from 'tap';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { estimateBodyInputTokens, heuristicTokens, MEDIA_PART_TOKENS, TOKENIZE_MAX_CHARS } from '../../proxy/limits/token-estimate.js';
import { costMicroUsd, costUsd, usdToMicro, worstCasePrice } from '../../proxy/limits/cost.js';
import { makeConfig } from './stage-fixtures.js';

const prose = 'The quick brown fox jumps over the lazy dog while the budget ledger counts every token. ';

t.test('OpenAI models are counted with their tokenizer plus chat framing', async (t) => {
  const text = prose.repeat(20);
  const body = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: text }] };
  const counted = estimateBodyInputTokens('chat', body, 'gpt-4o-mini');
  const exact = countTokens(text) + countTokens('Be brief.');
  t.ok(counted >= exact, `never below the content's own tokens (${counted} ≥ ${exact})`);
  t.ok(counted <= exact + 20, `framing adds a few tokens per message (${counted - exact})`);
  t.ok(estimateBodyInputTokens('chat', body, 'gpt-4') > 0, 'cl100k models too');
});

t.test('other models get a conservative character estimate', async (t) => {
  const text = prose.repeat(20);
  const claude = estimateBodyInputTokens('messages', { system: 'Be brief.', messages: [{ role: 'user', content: text }] }, 'claude-sonnet-4');
  t.ok(claude >= Math.ceil(text.length / 3), 'at least ASCII chars / 3');
  t.ok(claude > countTokens(text) * 1.2, 'above what a BPE tokenizer counts for English');
  const cjk = '日本語のテキストです。予算を超えないように数えます。'.repeat(50);
  t.ok(heuristicTokens(cjk) >= countTokens(cjk), 'CJK: one per code unit stays above the real count');
  t.equal(heuristicTokens('abcdef'), 2);
});

t.test('huge prompts skip the tokenizer and stay conservative', async (t) => {
  const text = prose.repeat(Math.ceil((TOKENIZE_MAX_CHARS + 10) / prose.length));
  const started = performance.now();
  const n = estimateBodyInputTokens('chat', { messages: [{ role: 'user', content: text }] }, 'gpt-4o');
  t.ok(performance.now() - started < 1000);
  t.ok(n >= Math.ceil(text.length / 3));
});

t.test('media parts, tools and embeddings', async (t) => {
  const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(50_000)}` } };
  const withImage = estimateBodyInputTokens('chat', { messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, image] }] }, 'gpt-4o');
  t.ok(withImage >= MEDIA_PART_TOKENS && withImage < MEDIA_PART_TOKENS + 30, 'an image is a fixed allowance, its base64 is not tokenized as text');
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const plain = estimateBodyInputTokens('chat', { messages: [{ role: 'user', content: 'hi' }] }, 'gpt-4o');
  t.ok(estimateBodyInputTokens('chat', { messages: [{ role: 'user', content: 'hi' }], tools }, 'gpt-4o') > plain + 15, 'tool schemas count');
  t.equal(estimateBodyInputTokens('embeddings', { input: [[1, 2, 3], [4, 5]] }, 'text-embedding-3-small'), 5, 'token-id input counts its ids');
  const strings = estimateBodyInputTokens('embeddings', { input: ['hello world', 'hello'] }, 'text-embedding-3-small');
  t.ok(strings >= 3 && strings <= 4, `string inputs are tokenized (${strings})`);
  t.ok(estimateBodyInputTokens('responses', { instructions: 'Be terse.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello' }] }] }, 'gpt-4o') >= 5);
  t.equal(estimateBodyInputTokens('models', {}, 'gpt-4o'), 0);
  t.ok(estimateBodyInputTokens('chat', { messages: [{ role: 'user', content: 'say <|endoftext|> verbatim' }] }, 'gpt-4o') > 5, 'special-token text is data');
});

t.test('cost: USD per 1M tokens, whole micro-dollars rounded up', async (t) => {
  t.equal(costMicroUsd(1_000_000, 0, { input: 0.15, output: 0.6 }), 150_000);
  t.equal(costMicroUsd(3, 0, { input: 0.15, output: 0.6 }), 1, '0.45 µUSD rounds up');
  t.equal(costMicroUsd(20, 0, { input: 0.15, output: 0.6 }), 3, 'float noise (2.9999…) does not round up to 4');
  t.equal(costMicroUsd(0, 0, { input: 1, output: 1 }), 0);
  t.equal(costUsd(1200, 345, { input: 0.15, output: 0.6 }), 0.000387);
  t.equal(usdToMicro(0.57), 570_000);
  const config = makeConfig('acme');
  const tenant = config.tenants[0]!;
  t.same(worstCasePrice(config.pricing, tenant, { kind: 'tier', name: 'fast', model: 'gpt-4o-mini' }), { input: 2.5, output: 10 });
  t.same(worstCasePrice(config.pricing, tenant, { kind: 'direct', name: 'openai/gpt-4o-mini', model: 'gpt-4o-mini' }), { input: 0.15, output: 0.6 });
  t.equal(worstCasePrice(config.pricing, tenant, { kind: 'direct', name: 'openai/x', model: 'x' }), undefined);
});
