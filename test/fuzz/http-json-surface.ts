import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { parseConfig } from '../../proxy/config/load-config.js';
import { createGateway } from '../../proxy/server/gateway.js';
import { createLogger } from '../../proxy/observability/logger.js';
import { generateApiKey, hashApiKey } from '../../proxy/identity/api-keys.js';

/**
 * Property-based fuzzing of the gateway's HTTP+JSON surface: any method, path, headers and body
 * a client can send must get an answer below 500, and the gateway must keep serving. Inputs are
 * drawn in seeded chunks (`fc.sample`), so a failure names `seed`, `chunk` and `index` and
 * replays exactly (`npm run fuzz -- --seed S --chunk C --index I`).
 */

export interface FuzzInput {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

const REPO_ROOT = join(import.meta.dirname, '../..');
const TIERS = ['fast', 'claude', 'emb', 'nope', 'demo/demo-fast', 'other/x', '', 'fast/'];
const MODEL_PATHS = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/models', '/v1/messages', '/v1/v1/messages'];
const OTHER_PATHS = ['/healthz', '/readyz', '/metrics', '/admin/v1/keys', '/admin/v1/users', '/admin/v1/routing', '/admin/v1/dlp', '/admin/v1/limits', '/admin/v1/usage', '/admin/v1/budget', '/admin/v1/audit', '/admin/v1/openapi.json', '/', '/v2/chat'];

/** Printable header-value text (what Node accepts on the wire). */
const headerText = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.:/=+;,"\'{}[]()*&%$#@!~`\\|<>?'.split('')), maxLength: 40 });
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('bob@example.com', '4111 1111 1111 1111', 'password=hunter2', 'AKIAIOSFODNN7EXAMPLE', '\u0000', '\ud800', '🙂'));

const contentBlock = fc.oneof(
  text,
  fc.record({ type: fc.constantFrom('text', 'input_text', 'image_url', 'tool_use', 'tool_result', 'document', 'x'), text: fc.option(text), input: fc.option(fc.jsonValue({ maxDepth: 4 })), content: fc.option(fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }))) }, { requiredKeys: [] }),
);
const message = fc.record(
  {
    role: fc.constantFrom('user', 'assistant', 'system', 'tool', 'developer', 'x'),
    content: fc.oneof(text, fc.array(contentBlock, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    tool_calls: fc.array(fc.record({ id: text, type: fc.constant('function'), function: fc.record({ name: text, arguments: fc.oneof(text, fc.jsonValue({ maxDepth: 2 })) }) }), { maxLength: 2 }),
  },
  { requiredKeys: ['role'] },
);
const numberish = fc.oneof(fc.integer({ min: -5, max: 300_000 }), fc.double(), fc.constant(null), text);

/** A plausible request body with any field possibly wrong. */
const modelBody = fc.record(
  {
    model: fc.oneof(fc.constantFrom(...TIERS), text, fc.jsonValue({ maxDepth: 1 })),
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
    input: fc.oneof(text, fc.array(fc.oneof(text, message, fc.integer()), { maxLength: 3 })),
    instructions: text,
    system: fc.oneof(text, fc.array(contentBlock, { maxLength: 2 })),
    max_tokens: numberish,
    max_completion_tokens: numberish,
    max_output_tokens: numberish,
    stream: fc.oneof(fc.boolean(), fc.constant(null), text),
    stream_options: fc.oneof(fc.record({ include_usage: fc.oneof(fc.boolean(), text) }), fc.jsonValue({ maxDepth: 1 })),
    temperature: numberish,
    tools: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 2 }),
    encoding_format: fc.constantFrom('float', 'base64', 'x'),
  },
  { requiredKeys: [] },
);

/** Nesting near and over the depth limit. */
const deep = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom('[', '{"a":')).map(([n, open]) => `{"model":"fast","messages":[{"role":"user","content":"x"}],"x":${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}}`);

const bodyArb = fc.oneof(
  { weight: 6, arbitrary: modelBody.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: modelBody.map((b) => JSON.stringify(b)).chain((s) => fc.nat(s.length).map((cut) => s.slice(0, cut))) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

export interface FuzzKeys {
  readonly member: string;
  readonly owner: string;
  readonly other: string;
}

function inputArb(keys: FuzzKeys): fc.Arbitrary<FuzzInput> {
  const credential = fc.constantFrom(keys.member, keys.owner, keys.other, 'wj_' + 'x'.repeat(40), '', 'garbage');
  const auth = fc.oneof(
    credential.map((k) => ({ authorization: `Bearer ${k}` })),
    credential.map((k) => ({ 'x-api-key': k })),
    headerText.map((v) => ({ authorization: v })),
    fc.constant({}),
  );
  const extra = fc.record(
    {
      'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data'),
      'anthropic-version': fc.constantFrom('2023-06-01', 'x'),
      'x-workjet-skill': headerText,
      'x-workjet-assistant': headerText,
      'openai-beta': headerText,
      'idempotency-key': headerText,
      'x-forwarded-for': headerText,
    },
    { requiredKeys: [] },
  );
  const query = fc.oneof(fc.constant(''), fc.webQueryParameters().map((q) => '?' + q), fc.constantFrom('?date=2026-12-06', '?date=9999-99-99&cursor=%FF', '?month=2026-13', '?limit=-1'));
  const path = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...MODEL_PATHS) },
    { weight: 2, arbitrary: fc.constantFrom(...OTHER_PATHS) },
    { weight: 1, arbitrary: fc.webSegment().map((s) => `/admin/v1/audit/${s}`) },
    { weight: 1, arbitrary: fc.webPath() },
  );
  return fc.record({
    method: fc.oneof({ weight: 8, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') }),
    path: fc.tuple(path, query).map(([p, q]) => (p.startsWith('/') ? p : '/' + p) + q),
    headers: fc.tuple(auth, extra).map(([a, e]) => ({ ...e, ...a })),
    body: bodyArb,
  });
}

export interface FuzzTarget {
  readonly origin: string;
  readonly keys: FuzzKeys;
  readonly arbitrary: fc.Arbitrary<FuzzInput>;
  /** Sends one input; resolves with the status (0 when the connection failed). */
  send(input: FuzzInput): Promise<number>;
  close(): Promise<void>;
}

/** Starts the gateway in-process on the demo provider with two tenants, for fuzzing. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'wj-fuzz-'));
  const member = generateApiKey();
  const owner = generateApiKey();
  const other = generateApiKey();
  const tenant = (id: string, apiKeys: { id: string; user: string; sha256: string }[]) => ({
    id,
    providers: { demo: { type: 'demo' } },
    tiers: { fast: { provider: 'demo', model: 'demo-fast' }, claude: { provider: 'demo', model: 'demo-claude' }, emb: { provider: 'demo', model: 'demo-embed' } },
    users: [{ id: 'owen', role: 'owner' }, { id: 'mia', role: 'member' }],
    apiKeys,
    dlp: { detectors: { email: 'redact', credit_card: 'block', generic_secret: 'log', aws_access_key_id: 'redact' }, responses: 'redact' },
    rateLimits: { perUser: { requestsPerMinute: 100_000_000, tokensPerMinute: 1_000_000_000 } },
  });
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0, maxBodyBytes: 65_536, maxConnectionsPerClient: 4096, maxConnections: 4096 },
    policy: { bundle: join(REPO_ROOT, 'policies/build/bundle.tar.gz'), watchBundle: false },
    audit: { dir, durability: 'async' },
    logging: { level: 'silent' },
    tenants: [
      tenant('acme', [{ id: 'k-mia', user: 'mia', sha256: hashApiKey(member) }, { id: 'k-owen', user: 'owen', sha256: hashApiKey(owner) }]),
      tenant('globex', [{ id: 'k-g', user: 'mia', sha256: hashApiKey(other) }]),
    ],
  });
  const gateway = await createGateway(config, { logger: createLogger({ level: 'silent' }), repoRoot: REPO_ROOT, defaultMetrics: false });
  const { port } = await gateway.listen(0, '127.0.0.1');
  const origin = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: 32, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const keys = { member, owner, other };
  return {
    origin,
    keys,
    arbitrary: inputArb(keys),
    async send(input) {
      try {
        const res = await request(origin + input.path, {
          method: input.method as 'POST',
          headers: input.headers,
          ...(input.body === undefined || input.method === 'GET' || input.method === 'HEAD' ? {} : { body: input.body }),
          dispatcher: agent,
        });
        await res.body.dump();
        return res.statusCode;
      } catch {
        return 0;
      }
    },
    async close() {
      await agent.close();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FuzzFailure {
  readonly seed: number;
  readonly chunk: number;
  readonly index: number;
  readonly status: number;
  readonly input: FuzzInput;
}

/**
 * Sends `count` inputs drawn from `seed` in chunks of `chunkSize`, `concurrency` at a time;
 * stops at the first answer ≥ 500 or failed connection, and checks `/healthz` after each chunk.
 */
export async function runFuzz(target: FuzzTarget, options: { seed: number; count: number; chunkSize?: number; concurrency?: number; firstChunk?: number; onChunk?: (sent: number) => void }): Promise<{ sent: number; statuses: Map<number, number>; failure: FuzzFailure | undefined }> {
  const chunkSize = options.chunkSize ?? 1000;
  const concurrency = options.concurrency ?? 16;
  const statuses = new Map<number, number>();
  let sent = 0;
  for (let chunk = options.firstChunk ?? 0; sent < options.count; chunk++) {
    const inputs = fc.sample(target.arbitrary, { seed: options.seed + chunk, numRuns: Math.min(chunkSize, options.count - sent) });
    let next = 0;
    let failure: FuzzFailure | undefined;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < inputs.length) {
        const index = next++;
        const input = inputs[index] as FuzzInput;
        const status = await target.send(input);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500 || status === 0) failure ??= { seed: options.seed, chunk, index, status, input };
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    sent += inputs.length;
    if (failure) return { sent, statuses, failure };
    const health = await target.send({ method: 'GET', path: '/healthz', headers: {}, body: undefined });
    if (health !== 200) return { sent, statuses, failure: { seed: options.seed, chunk, index: -1, status: health, input: { method: 'GET', path: '/healthz', headers: {}, body: undefined } } };
    options.onChunk?.(sent);
  }
  return { sent, statuses, failure: undefined };
}

/** The replay of one input: the exact input of `chunk`/`index` of `seed`. */
export function replayInput(target: FuzzTarget, seed: number, chunk: number, index: number, chunkSize = 1000): FuzzInput {
  return fc.sample(target.arbitrary, { seed: seed + chunk, numRuns: Math.max(chunkSize, index + 1) })[index] as FuzzInput;
}
