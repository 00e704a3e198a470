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
