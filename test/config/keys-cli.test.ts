import t from 'tap';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
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

t.test('keys create prints a new key once and the YAML line with its hash', async (t) => {
  const [out, other, json] = await Promise.all([
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'bob', '--id', 'key-bob']),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'bob']),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'bob', '--id', 'k', '--json']),
  ]);
  t.equal(out.status, 0, out.stderr);
  const keys = out.stdout.match(/wj_[0-9A-Za-z]+/g) ?? [];
  t.equal(keys.length, 1, 'the key appears exactly once');
  const key = keys[0] ?? '';
  t.match(key, /^wj_[0-9A-Za-z]{43}$/);
  t.notOk(out.stderr.includes(key));
  t.ok(out.stdout.includes(`- { id: key-bob, user: bob, sha256: "${sha256(key)}" }`), 'the YAML line carries the sha256 of the printed key');

  t.equal(other.status, 0);
  t.match(other.stdout, /- \{ id: key-bob-[0-9a-f]{6}, user: bob, sha256: "[0-9a-f]{64}" \}/);
  t.notOk(other.stdout.includes(key), 'every key is new');

  const parsed = JSON.parse(json.stdout) as { key: string; sha256: string; id: string; user: string; tenant: string };
  t.same({ tenant: parsed.tenant, user: parsed.user, id: parsed.id }, { tenant: 'acme', user: 'bob', id: 'k' });
  t.equal(sha256(parsed.key), parsed.sha256);
});

t.test('keys create rejects what a config would reject, and checks --config', async (t) => {
  const dir = t.testdir({ 'gw.yaml': CONFIG });
  const config = join(dir, 'gw.yaml');
  const env = { ACME_KEY: 'sk-1' };
  const [bad, noUserFlag, unknownFlag, unknownCommand, ok, noTenant, noUser] = await Promise.all([
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'Acme', '--user', 'b b']),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme']),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'bob', '--bogus']),
    runCli('proxy/cli/keys.ts', ['frobnicate']),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'bob', '--config', config], { env }),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'globex', '--user', 'bob', '--config', config], { env }),
    runCli('proxy/cli/keys.ts', ['create', '--tenant', 'acme', '--user', 'eve', '--config', config], { env }),
  ]);
  t.equal(bad.status, 2);
  t.equal(bad.stdout, '', 'no key is printed');
  t.match(bad.stderr, /^--tenant: must match/m);
  t.match(bad.stderr, /^--user: letters, digits/m);
  t.notMatch(bad.stderr, /^--id:/m, 'a derived id is not blamed for the user name');
  for (const ran of [noUserFlag, unknownFlag, unknownCommand]) {
    t.equal(ran.status, 2);
    t.equal(ran.stdout, '');
    t.match(ran.stderr, /usage:/);
  }
  t.equal(ok.status, 0, ok.stderr);
  t.equal(noTenant.status, 2);
  t.match(noTenant.stderr, /no tenant "globex"/);
  t.equal(noUser.status, 2);
  t.match(noUser.stderr, /no user "eve" in tenant "acme"/);
  t.equal(noUser.stdout, '');
});

t.test('keys hash prints the sha256 of a key, from the argument or stdin', async (t) => {
  const key = 'wj_JNVnyWMCuduCxfgnucVPxzPSgKLzTTUAu6bBwBownar';
  const [fromArg, fromStdin, odd] = await Promise.all([
    runCli('proxy/cli/keys.ts', ['hash', key]),
    runCli('proxy/cli/keys.ts', ['hash', '-'], { input: key + '\n' }),
    runCli('proxy/cli/keys.ts', ['hash', 'not-a-key']),
  ]);
  t.equal(fromArg.status, 0);
  t.equal(fromArg.stdout, sha256(key) + '\n');
  t.equal(fromArg.stderr, '');
  t.equal(fromStdin.stdout, sha256(key) + '\n');
  t.equal(odd.stdout, sha256('not-a-key') + '\n');
  t.match(odd.stderr, /does not look like a Workjet key/);
});
