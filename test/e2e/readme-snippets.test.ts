import t from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { startGateway, REPO_ROOT } from '../helpers/gateway.js';

const run = promisify(execFile);
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const PYTHON = join(REPO_ROOT, '.venv/bin/python');

/** The fenced blocks of one language in README's SDK section, in order. */
function blocks(lang: string): string[] {
  const section = README.slice(README.indexOf('### Use it from the official SDKs'));
  const out: string[] = [];
  const fence = '```' + lang + '\n';
  let at = section.indexOf(fence);
  while (at !== -1) {
    const end = section.indexOf('```', at + fence.length);
    out.push(section.slice(at + fence.length, end));
    at = section.indexOf(fence, end + 3);
  }
  return out;
}

t.test('README quick start: the curl and the SDK snippets work against the demo config', async (t) => {
  const demo = parse(readFileSync(join(REPO_ROOT, 'config/gateway.yaml'), 'utf8')) as Record<string, unknown>;
  const gw = await startGateway(t, { ...demo, audit: {} });
  // The snippets say 127.0.0.1:8080; the test gateway listens on a free port instead.
  const local = (code: string) => code.replaceAll('http://127.0.0.1:8080', gw.origin);

  const curl = /curl (http:\/\/127\.0\.0\.1:8080\/v1\/chat\/completions)[^]*?-H "Authorization: Bearer (wj_\w+)"[^]*?-d '([^']+)'/.exec(README);
  t.ok(curl, 'README has the curl');
  const res = await fetch(local(curl![1]!), { method: 'POST', headers: { authorization: `Bearer ${curl![2]}`, 'content-type': 'application/json' }, body: curl![3]! });
  t.equal(res.status, 200);
  const body = (await res.json()) as { choices: { message: { content: string } }[] };
  t.match(body.choices[0]!.message.content, /demo provider/);

  const js = blocks('js');
  t.equal(js.length, 2, 'Node OpenAI and Node Anthropic snippets');
  for (const code of js) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', local(code)], { cwd: REPO_ROOT, timeout: 60_000 });
    t.match(stdout, /demo provider/, 'snippet printed the demo answer');
  }

  const py = blocks('python');
  t.equal(py.length, 1, 'Python OpenAI snippet');
  t.ok(existsSync(PYTHON), 'the test setup created .venv with the openai SDK');
  const { stdout } = await run(PYTHON, ['-c', local(py[0]!)], { cwd: REPO_ROOT, timeout: 60_000 });
  t.match(stdout, /demo provider/);
});

t.test('README quick start: the admin API curl lines create a key for bob, use it, revoke it, then 401', async (t) => {
  const demo = parse(readFileSync(join(REPO_ROOT, 'config/gateway.yaml'), 'utf8')) as Record<string, unknown>;
  const gw = await startGateway(t, { ...demo, audit: {} });
  const section = README.slice(README.indexOf('### Manage keys over the admin API'));
  const start = section.indexOf('```sh\n');
  const script = section.slice(start + 6, section.indexOf('```', start + 6));
  t.match(script, 'DEMO_KEY=wj_', 'README has the block');
  // Run as written, against the test gateway's port instead of 8080.
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script.replaceAll('http://127.0.0.1:8080', gw.origin)], { cwd: REPO_ROOT, timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  const chat = JSON.parse(lines[0] ?? '{}') as { choices?: { message: { content: string } }[] };
  t.match(chat.choices?.[0]?.message.content, /demo provider/, "bob's key called a model");
  t.equal(lines[1], '204', 'the revoke answered 204');
  t.match(JSON.parse(lines[2] ?? '{}'), { error: { code: 'invalid_api_key' } }, 'the next call is refused');
  t.equal(lines[3], '401');
  const keys = await fetch(`${gw.origin}/admin/v1/keys`, { headers: { authorization: `Bearer ${/DEMO_KEY=(wj_\w+)/.exec(script)?.[1]}` } });
  const listed = (await keys.json()) as { data: { user: string; name: string | null; revoked: boolean; source: string }[] };
  t.match(listed.data.find((k) => k.user === 'bob'), { name: 'bob-laptop', revoked: true, source: 'api' });
});
