import t from 'tap';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider, type FakeBehavior } from '../fake-provider/fake-provider.js';

/**
 * The canary-key search: after every upstream failure mode (error statuses, echoing proxies,
 * non-JSON bodies, dropped connections, mid-stream errors, stalls, refused connections), the
 * tenant's provider keys and the caller's API key appear in no client answer, log line, audit
 * record, spool file or `/metrics`.
 */

const OPENAI_CANARY = 'sk-proj-CANARYupstreamOpenAIkey0000000000000000';
const ANTHROPIC_CANARY = 'sk-ant-api03-CANARYupstreamAnthropic1111111111';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

t.test('no provider key or API key anywhere after every upstream failure mode', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  // A port with nothing listening: connection refused.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const member = makeKey('key-canary', 'alice');
  const gw = await startGateway(t, {
    upstream: { firstByteTimeoutMs: 1500, idleTimeoutMs: 1500 },
    tenants: [
      {
        id: 'acme',
        providers: {
          openai: { apiKey: OPENAI_CANARY, baseUrl: fake.openaiBaseUrl },
          anthropic: { apiKey: ANTHROPIC_CANARY, baseUrl: fake.anthropicBaseUrl },
          dead: { type: 'openai', apiKey: OPENAI_CANARY, baseUrl: `http://127.0.0.1:${deadPort}/v1` },
        },
        tiers: { fast: { provider: 'openai', model: 'gpt-c' }, claude: { provider: 'anthropic', model: 'claude-c' }, dead: { provider: 'dead', model: 'gpt-c' } },
        users: [{ id: 'alice', role: 'member' }],
        apiKeys: [member.entry],
        dlp: { detectors: { email: 'redact' }, responses: 'redact' },
      },
    ],
  });
  const canaries = [OPENAI_CANARY, ANTHROPIC_CANARY, member.key, 'CANARYupstream'];
  const answers: string[] = [];
  const modes: [string, FakeBehavior][] = [
    ['429', { status: 429 }],
    ['500', { status: 500 }],
    ['401 (key refused)', { status: 401 }],
    ['400 echoing the headers', { status: 400, echoHeaders: true }],
    ['404 HTML echoing the headers', { status: 404, echoHeaders: true, rawBody: { contentType: 'text/html', text: '<h1>no</h1>' } }],
    ['200 text echoing the headers', { echoHeaders: true, rawBody: { contentType: 'text/plain', text: 'echo ' } }],
    ['200 JSON echoing the headers', { echoHeaders: true }],
    ['dropped connection', { dieMidStream: true }],
    ['error event first', { errorEventFirst: true }],
    ['stall mid-stream', { stallMidStream: true }],
    ['first byte too late', { delayFirstByteMs: 4000 }],
  ];
  for (const [name, behavior] of modes) {
    for (const [path, model, stream] of [['/v1/chat/completions', 'fast', false], ['/v1/chat/completions', 'fast', true], ['/v1/messages', 'claude', false], ['/v1/messages', 'claude', true]] as const) {
      fake.enqueue(behavior);
      const anthropic = path === '/v1/messages';
      const headers: Record<string, string> = anthropic ? { 'x-api-key': member.key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${member.key}` };
      const body = anthropic ? { model, max_tokens: 5, stream, messages: [{ role: 'user', content: 'hi' }] } : { model, stream, messages: [{ role: 'user', content: 'hi' }] };
      const res = await fetch(gw.origin + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
      const text = res ? await res.text().catch(() => '') : '';
      answers.push(`${name} ${path} stream=${stream}: ${res?.status ?? 'reset'} ${text}`);
      if (res) t.ok(res.status < 500 || res.status >= 502, `${name} ${path} stream=${stream}: ${res.status}`);
    }
  }
  const refused = await fetch(`${gw.origin}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${member.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'dead', messages: [{ role: 'user', content: 'hi' }] }) });
  answers.push(`connection refused: ${refused.status} ${await refused.text()}`);
  t.equal(refused.status, 502, 'connection refused → 502');

  await new Promise((r) => setTimeout(r, 300)); // let the audit spool and deliverer settle
  const metrics = await (await fetch(`${gw.origin}/metrics`)).text();
  const places: [string, string][] = [
    ...answers.map((a, i) => [`client answer ${i}: ${a.slice(0, 60)}`, a] as [string, string]),
    ...gw.logs.map((l, i) => [`log line ${i}`, l] as [string, string]),
    ['metrics', metrics],
  ];
  const files = await filesUnder(gw.auditDir);
  t.ok(files.length > 0, `${files.length} audit/spool files searched`);
  for (const file of files) if ((await stat(file)).isFile()) places.push([file.slice(gw.auditDir.length), await readFile(file, 'latin1')]);
  let hits = 0;
  for (const [where, text] of places) {
    for (const canary of canaries) {
      if (text.includes(canary)) {
        hits++;
        t.fail(`${canary.slice(0, 20)}… found in ${where}`);
      }
    }
  }
  t.equal(hits, 0, `no canary in ${places.length} places (answers, logs, audit records, spool, metrics)`);
});
