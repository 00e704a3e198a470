import t from 'tap';
import OpenAI from 'openai';
import { startGeminiTenant } from '../helpers/gemini-tenant.js';
import { waitForAuditFile } from '../server/fixtures/audit-files.js';
import { heuristicTokens } from '../../proxy/limits/token-estimate.js';

/**
 * `/v1/embeddings` on a tier served by Gemini, driven by the official `openai` SDK: one string
 * goes to `:embedContent`, an array to `:batchEmbedContents` (one request per input, in order),
 * `dimensions` to `outputDimensionality`; the SDK's default base64 encoding and `float` both
 * come back right. Gemini reports no token counts: usage is the gateway's own input estimate,
 * and the audit record says it is an estimate.
 */

const GEMINI_KEY = 'AIzaSy-acme-gemini-embeddings-key-0';

t.test('the OpenAI SDK embeddings on a tier served by Gemini', async (t) => {
  const { gw, fake, key } = await startGeminiTenant(t, GEMINI_KEY, { embed: 'gemini-embedding-001' });
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: key, maxRetries: 0 });

  t.test('a single string: embedContent, the key in x-goog-api-key, the vector decoded from base64 by the SDK', async (t) => {
    const res = await client.embeddings.create({ model: 'embed', input: 'hello world' });
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1beta/models/gemini-embedding-001:embedContent');
    t.equal(seen?.headers['x-goog-api-key'], GEMINI_KEY);
    t.notOk(seen?.headers['authorization']);
    t.same(seen?.body, { content: { parts: [{ text: 'hello world' }] } });
    t.equal(res.object, 'list');
    t.equal(res.model, 'gemini-embedding-001');
    t.equal(res.data.length, 1);
    t.same(res.data[0]?.embedding.map((v) => Math.round(v * 100) / 100), [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08]);
    const estimate = heuristicTokens('hello world');
    t.same(res.usage, { prompt_tokens: estimate, total_tokens: estimate }, 'the gateway estimate (Gemini reports no counts)');
    const audit = await waitForAuditFile(gw.auditDir, 'acme', (r) => r.route === '/v1/embeddings');
    t.same(audit.record.usage, { inputTokens: estimate, outputTokens: 0, estimated: true }, 'spend settles on the estimate, marked estimated');
  });

  t.test('an array: batchEmbedContents with one request per input, vectors in input order; float and dimensions', async (t) => {
    const res = await client.embeddings.create({ model: 'embed', input: ['first', 'second', 'third'], dimensions: 3, encoding_format: 'float' });
    const seen = fake.requests.at(-1);
    t.equal(seen?.path, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    t.same(seen?.body, {
      requests: ['first', 'second', 'third'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 3 })),
    });
    t.same(res.data.map((d) => d.index), [0, 1, 2]);
    t.same(res.data.map((d) => d.embedding), [[0.01, 0.02, 0.03], [1.01, 1.02, 1.03], [2.01, 2.02, 2.03]]);
    const estimate = heuristicTokens('first\nsecond\nthird');
    t.same(res.usage, { prompt_tokens: estimate, total_tokens: estimate });
  });

  t.test('token-id input cannot be embedded by Gemini: 400 naming the field', async (t) => {
    const err = await client.embeddings.create({ model: 'embed', input: [[1, 2, 3]] }).catch((e: unknown) => e);
    t.type(err, OpenAI.BadRequestError);
    t.equal((err as InstanceType<typeof OpenAI.BadRequestError>).param, 'input[0]');
  });

  t.test("a Gemini error is the OpenAI SDK's error class", async (t) => {
    fake.enqueue({ status: 404 });
    const err = await client.embeddings.create({ model: 'embed', input: 'hi' }).catch((e: unknown) => e);
    t.type(err, OpenAI.NotFoundError);
  });
});
