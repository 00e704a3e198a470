import t from 'tap';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { runKeysCommand } from '../../proxy/cli/keys-command.js';
import { runCli } from './run-cli.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const CONFIG = `
tenants:
  - id: acme
    providers:
      openai: { apiKey: "\${ACME_KEY}" }
    tiers:
      fast: { provider: openai, model: gpt-4o-mini }
    users: [{ id: bob, role: member }]
`;

/** Runs the keys command in process, capturing what it prints. */
function keys(argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = runKeysCommand(argv, {
    env: options.env ?? {},
    readStdin: () => options.stdin ?? '',
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
  });
  return { status, stdout, stderr };
}

t.test('npm run keys -- create: a real process prints the key once and the YAML line with its hash', async (t) => {
  const out = await runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'bob', '--id', 'key-bob']);
  t.equal(out.status, 0, out.stderr);
  const found = out.stdout.match(/wj_[0-9A-Za-z]+/g) ?? [];
  t.equal(found.length, 1, 'the key appears exactly once');
  const key = found[0] ?? '';
  t.match(key, /^wj_[0-9A-Za-z]{43}$/);
  t.notOk(out.stderr.includes(key));
  t.ok(out.stdout.includes(`- { id: key-bob, user: bob, sha256: "${sha256(key)}" }`), 'the YAML line carries the sha256 of the printed key');
});

t.test('create: default ids, fresh keys, --json', async (t) => {
  const first = keys(['create', '--tenant', 'acme', '--user', 'bob']);
  const second = keys(['create', '--tenant', 'acme', '--user', 'bob']);
  t.equal(first.status, 0);
  t.match(first.stdout, /- \{ id: key-bob-[0-9a-f]{6}, user: bob, sha256: "[0-9a-f]{64}" \}/);
  const firstKey = first.stdout.match(/wj_[0-9A-Za-z]+/)?.[0] ?? '';
  t.ok(firstKey.length > 0);
  t.notOk(second.stdout.includes(firstKey), 'every key is new');

  const quoted = keys(['create', '--tenant', 'acme', '--user', 'bob@acme.example']);
  t.match(quoted.stdout, /user: "bob@acme\.example"/, 'values YAML could misread are quoted');

  const json = keys(['create', '--tenant', 'acme', '--user', 'bob', '--id', 'k', '--json']);
  const parsed = JSON.parse(json.stdout) as { key: string; sha256: string; id: string; user: string; tenant: string };
  t.same({ tenant: parsed.tenant, user: parsed.user, id: parsed.id }, { tenant: 'acme', user: 'bob', id: 'k' });
  t.equal(sha256(parsed.key), parsed.sha256);
});

t.test('create rejects what a config would reject and prints no key', async (t) => {
  const bad = keys(['create', '--tenant', 'Acme', '--user', 'b b']);
  t.equal(bad.status, 2);
  t.equal(bad.stdout, '', 'no key is printed');
  t.match(bad.stderr, /^--tenant: must match/m);
  t.match(bad.stderr, /^--user: letters, digits/m);
  t.notMatch(bad.stderr, /^--id:/m, 'a derived id is not blamed for the user name');
  t.match(keys(['create', '--tenant', 'acme', '--user', 'bob', '--id', 'bad id!']).stderr, /^--id: letters, digits/m);
  for (const argv of [['create', '--tenant', 'acme'], ['create', '--tenant', 'acme', '--user', 'bob', '--bogus'], ['frobnicate'], []]) {
    const ran = keys(argv);
    t.equal(ran.status, 2, argv.join(' '));
    t.equal(ran.stdout, '');
    t.match(ran.stderr, /usage:/);
  }
  t.match(keys(['help']).stdout, /usage:/);
});

t.test('create --config checks that the tenant and user exist and the id is free', async (t) => {
  const dir = t.testdir({ 'gw.yaml': CONFIG.replace('users:', 'apiKeys: [{ id: key-taken, user: bob, sha256: "' + sha256('x') + '" }]\n    users:') });
  const config = join(dir, 'gw.yaml');
  const env = { ACME_KEY: 'sk-1' };
  t.equal(keys(['create', '--tenant', 'acme', '--user', 'bob', '--config', config], { env }).status, 0);
  const noTenant = keys(['create', '--tenant', 'globex', '--user', 'bob', '--config', config], { env });
  t.equal(noTenant.status, 2);
  t.match(noTenant.stderr, /no tenant "globex"/);
  const noUser = keys(['create', '--tenant', 'acme', '--user', 'eve', '--config', config], { env });
  t.match(noUser.stderr, /no user "eve" in tenant "acme"/);
  t.equal(noUser.stdout, '');
  t.match(keys(['create', '--tenant', 'acme', '--user', 'bob', '--id', 'key-taken', '--config', config], { env }).stderr, /key id "key-taken" is already used/);
  const invalid = keys(['create', '--tenant', 'acme', '--user', 'bob', '--config', config], { env: {} });
  t.equal(invalid.status, 1);
  t.match(invalid.stderr, /environment variable ACME_KEY is not set/);
  t.equal(invalid.stdout, '');
});

t.test('hash prints the sha256 of a key, from the argument or stdin', async (t) => {
  const key = 'wj_JNVnyWMCuduCxfgnucVPxzPSgKLzTTUAu6bBwBownar';
  const fromArg = keys(['hash', key]);
  t.equal(fromArg.status, 0);
  t.equal(fromArg.stdout, sha256(key) + '\n');
  t.equal(fromArg.stderr, '');
  t.equal(keys(['hash', '-'], { stdin: key + '\n' }).stdout, sha256(key) + '\n');
  const odd = keys(['hash', 'not-a-key']);
  t.equal(odd.stdout, sha256('not-a-key') + '\n');
  t.match(odd.stderr, /does not look like a Workjet key/);
  t.equal(keys(['hash']).status, 2);
  t.equal(keys(['hash', '-'], { stdin: '\n' }).status, 2);
});
