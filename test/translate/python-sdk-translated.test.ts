import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { DEFAULT_TEXT } from '../fake-provider/behavior.js';

const run = promisify(execFile);
const PYTHON = join(REPO_ROOT, '.venv/bin/python');
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

// The official openai Python SDK on tiers served by Anthropic and by Gemini, as a user writes it.
const SCRIPT = String.raw`
import json, sys
import openai

cfg = json.loads(sys.argv[1])
client = openai.OpenAI(base_url=cfg["base_url"], api_key=cfg["key"], max_retries=0)
tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
out = {}
for tier in ["claude", "flash"]:
    r = {}
    chat = client.chat.completions.create(model=tier, messages=[{"role": "system", "content": "Be terse."}, {"role": "user", "content": "hi"}])
    r["chat"] = [chat.choices[0].message.content, chat.choices[0].finish_reason, chat.usage.prompt_tokens, chat.usage.completion_tokens, chat._request_id is not None]
    parts, usage = [], None
    for chunk in client.chat.completions.create(model=tier, messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}):
        if chunk.choices:
            parts.append(chunk.choices[0].delta.content or "")
        if chunk.usage:
            usage = [chunk.usage.prompt_tokens, chunk.usage.completion_tokens]
    r["stream"] = ["".join(parts), usage]
    first = client.chat.completions.create(model=tier + "-tools", tools=tools, messages=[{"role": "user", "content": "Weather?"}])
    call = first.choices[0].message.tool_calls[0]
    second = client.chat.completions.create(model=tier, tools=tools, messages=[{"role": "user", "content": "Weather?"}, first.choices[0].message, {"role": "tool", "tool_call_id": call.id, "content": "18C"}])
    r["tools"] = [first.choices[0].finish_reason, call.function.name, json.loads(call.function.arguments), second.choices[0].finish_reason]
    img = client.chat.completions.create(model=tier, messages=[{"role": "user", "content": [{"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64," + cfg["png"]}}]}])
    r["image"] = img.choices[0].message.content
    try:
        client.chat.completions.create(model=tier + "-bad", messages=[{"role": "user", "content": "hi"}])
        r["error"] = None
    except openai.BadRequestError as e:
        r["error"] = [e.status_code, type(e).__name__, e.request_id is not None]
    out[tier] = r
print(json.dumps(out))
`;

interface TierOutput {
  chat: [string, string, number, number, boolean];
  stream: [string, [number, number] | null];
  tools: [string, string, Record<string, unknown>, string];
  image: string;
  error: [number, string, boolean] | null;
}

t.test('the openai Python SDK on tiers served by Anthropic and by Gemini', async (t) => {
  if (!existsSync(PYTHON)) {
    t.fail(`${PYTHON} is missing: run \`node scripts/test-setup.mjs\``);
    return;
  }
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  for (const model of ['claude-tools', 'gemini-tools']) fake.behaviorForModel(model, { toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
  for (const model of ['claude-bad', 'gemini-bad']) fake.behaviorForModel(model, { status: 400 });
  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    tenants: [{
      id: 'acme',
      providers: { anthropic: { apiKey: 'sk-ant-000000000', baseUrl: fake.anthropicBaseUrl }, google: { type: 'gemini', apiKey: 'AIza-000000000', baseUrl: fake.geminiBaseUrl } },
      tiers: {
        claude: { provider: 'anthropic', model: 'claude-sonnet-4' }, 'claude-tools': { provider: 'anthropic', model: 'claude-tools' }, 'claude-bad': { provider: 'anthropic', model: 'claude-bad' },
        flash: { provider: 'google', model: 'gemini-2.5-flash' }, 'flash-tools': { provider: 'google', model: 'gemini-tools' }, 'flash-bad': { provider: 'google', model: 'gemini-bad' },
      },
      users: [{ id: 'alice', role: 'member' }],
      apiKeys: [alice.entry],
    }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'wj-py-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'client.py');
  writeFileSync(script, SCRIPT);
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, NO_PROXY: '*', PYTHONDONTWRITEBYTECODE: '1' };
  const { stdout } = await run(PYTHON, [script, JSON.stringify({ base_url: gw.baseURL, key: alice.key, png: PNG })], { env, timeout: 60_000, maxBuffer: 1 << 20 });
  const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, TierOutput>;
  for (const tier of ['claude', 'flash']) {
    const r = out[tier] as TierOutput;
    t.same(r.chat, [DEFAULT_TEXT, 'stop', 11, 9, true], `${tier}: non-stream`);
    t.same(r.stream, [DEFAULT_TEXT, [11, 9]], `${tier}: stream with the usage chunk`);
    t.same(r.tools, ['tool_calls', 'get_weather', { city: 'Paris' }, 'stop'], `${tier}: a tool call and its result in a second turn`);
    t.equal(r.image, DEFAULT_TEXT, `${tier}: an image part`);
    t.same(r.error, [400, 'BadRequestError', true], `${tier}: a provider 400 is BadRequestError`);
  }
  t.match(fake.requests.find((r) => r.path === '/v1/messages' && JSON.stringify(r.body).includes('"image"'))?.body, { messages: [{ content: [{ type: 'text' }, { type: 'image', source: { type: 'base64', media_type: 'image/png' } }] }] });
  t.ok(fake.requests.some((r) => r.path.endsWith(':generateContent') && JSON.stringify(r.body).includes('"inlineData"')));
});
