import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { DEFAULT_TEXT } from '../fake-provider/behavior.js';
import { ACME_OPENAI_KEY, twoTenants } from '../server/fixtures/tenants.js';

const run = promisify(execFile);
const PYTHON = join(REPO_ROOT, '.venv/bin/python');

// What a Python user writes: the official `openai` SDK with base_url pointed at the gateway.
const SCRIPT = String.raw`
import json, sys
import openai

cfg = json.loads(sys.argv[1])
client = openai.OpenAI(base_url=cfg["base_url"], api_key=cfg["key"], max_retries=0)
out = {"sdk_version": openai.__version__}

raw = client.chat.completions.with_raw_response.create(model="fast", messages=[{"role": "user", "content": "hi"}])
chat = raw.parse()
out["chat"] = {
    "text": chat.choices[0].message.content,
    "finish_reason": chat.choices[0].finish_reason,
    "request_id": chat._request_id,
    "header": raw.headers.get("x-workjet-request-id"),
    "usage": [chat.usage.prompt_tokens, chat.usage.completion_tokens],
}

parts, usage = [], None
for chunk in client.chat.completions.create(model="fast", messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}):
    if chunk.choices:
        parts.append(chunk.choices[0].delta.content or "")
    if chunk.usage:
        usage = [chunk.usage.prompt_tokens, chunk.usage.completion_tokens]
out["stream"] = {"text": "".join(parts), "usage": usage}

emb = client.embeddings.create(model="embed", input=["alpha", "beta"])
out["embeddings"] = {
    "count": len(emb.data),
    "lengths": [len(d.embedding) for d in emb.data],
    "first": emb.data[0].embedding[:3],
    "second_first": emb.data[1].embedding[0],
}

out["responses"] = client.responses.create(model="fast", input="hi").output_text

bad = openai.OpenAI(base_url=cfg["base_url"], api_key=cfg["bad_key"], max_retries=0)
try:
    bad.chat.completions.create(model="fast", messages=[{"role": "user", "content": "hi"}])
    out["auth_error"] = None
except openai.AuthenticationError as e:
    out["auth_error"] = {"status": e.status_code, "code": e.code, "request_id": e.request_id, "header": e.response.headers.get("x-workjet-request-id")}

try:
    client.chat.completions.create(model="no-such-tier", messages=[{"role": "user", "content": "hi"}])
    out["not_found"] = None
except openai.NotFoundError as e:
    out["not_found"] = {"status": e.status_code, "code": e.code, "param": e.param, "request_id": e.request_id}

try:
    client.chat.completions.create(model="fast", messages=[{"role": "user", "content": "hi"}], stream="yes")
    out["bad_request"] = None
except openai.BadRequestError as e:
    out["bad_request"] = {"status": e.status_code, "param": e.param}

print(json.dumps(out))
`;

interface PythonOutput {
  sdk_version: string;
  chat: { text: string; finish_reason: string; request_id: string; header: string; usage: [number, number] };
  stream: { text: string; usage: [number, number] | null };
  embeddings: { count: number; lengths: number[]; first: number[]; second_first: number };
  responses: string;
  auth_error: { status: number; code: string; request_id: string; header: string } | null;
  not_found: { status: number; code: string; param: string; request_id: string } | null;
  bad_request: { status: number; param: string } | null;
}

t.test('the official openai Python SDK through the gateway', async (t) => {
  if (!existsSync(PYTHON)) {
    t.fail(`${PYTHON} is missing: run \`node scripts/test-setup.mjs\` (or python3 -m venv .venv && .venv/bin/pip install openai==3.3.1)`);
    return;
  }
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, config);
  const dir = mkdtempSync(join(tmpdir(), 'wj-py-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'client.py');
  writeFileSync(script, SCRIPT);
  const badKey = 'wj_NotARealKeyForTheGatewayAtAll00000000000000';
  const args = JSON.stringify({ base_url: gw.baseURL, key: keys.acmeMember, bad_key: badKey });
  // A clean environment: no OPENAI_* settings or proxies of the machine leak into the client.
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, NO_PROXY: '*', PYTHONDONTWRITEBYTECODE: '1' };
  const { stdout } = await run(PYTHON, [script, args], { env, timeout: 50_000, maxBuffer: 1 << 20 });
  const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as PythonOutput;
  t.equal(out.sdk_version, '3.3.1', 'the pinned SDK version');

  t.test('non-stream chat', async (t) => {
    t.equal(out.chat.text, DEFAULT_TEXT);
    t.equal(out.chat.finish_reason, 'stop');
    t.same(out.chat.usage, [11, 9]);
    t.match(out.chat.request_id, /^req_[0-9a-f]{32}$/);
    t.equal(out.chat.request_id, out.chat.header, "_request_id is the gateway's id");
  });

  t.test('stream chat: the joined text and the usage chunk', async (t) => {
    t.equal(out.stream.text, DEFAULT_TEXT);
    t.same(out.stream.usage, [11, 9]);
  });

  t.test("embeddings with the SDK's base64 default decode to the provider's vectors", async (t) => {
    t.equal(out.embeddings.count, 2);
    t.same(out.embeddings.lengths, [8, 8], 'the length the fake provider sent (8 floats), not a quarter or 4x of it');
    out.embeddings.first.forEach((v, i) => t.ok(Math.abs(v - (i + 1) / 100) < 1e-6, `component ${i}`));
    t.ok(Math.abs(out.embeddings.second_first - 1.01) < 1e-6, 'second vector');
    const upstream = fake.requests.find((r) => r.path === '/v1/embeddings');
    t.equal((upstream?.body as { encoding_format?: string }).encoding_format, 'base64', 'the SDK default reached the provider');
  });

  t.test('responses API', async (t) => {
    t.equal(out.responses, DEFAULT_TEXT);
  });

  t.test('401 raises openai.AuthenticationError carrying the gateway request id', async (t) => {
    t.ok(out.auth_error, 'AuthenticationError raised');
    t.equal(out.auth_error?.status, 401);
    t.equal(out.auth_error?.code, 'invalid_api_key');
    t.match(out.auth_error?.request_id, /^req_[0-9a-f]{32}$/);
    t.equal(out.auth_error?.request_id, out.auth_error?.header);
    const logged = gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['requestId'] === out.auth_error?.request_id);
    t.match(logged, { status: 401, code: 'invalid_api_key' }, "the gateway's access log has the same id");
  });

  t.test('404 and 400 raise the matching SDK errors', async (t) => {
    t.match(out.not_found, { status: 404, code: 'model_not_found', param: 'model' });
    t.match(out.bad_request, { status: 400, param: 'stream' });
  });

  t.test("the provider saw the tenant's key and never the wj_ key", async (t) => {
    t.ok(fake.requests.length >= 4);
    for (const r of fake.requests) {
      t.equal(r.headers['authorization'], `Bearer ${ACME_OPENAI_KEY}`);
      const seen = JSON.stringify(r.headers) + JSON.stringify(r.body ?? null);
      t.notOk(seen.includes('wj_'), 'no wj_ key upstream');
    }
  });
});
