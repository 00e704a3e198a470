import t from 'tap';
import { issuesOf } from './config-issues.js';
import { join } from 'node:path';
import { ConfigError } from '../../proxy/config/config-error.js';
import { DEFAULT_CONFIG_PATH, loadConfig, parseConfigText, resolveConfigPath } from '../../proxy/config/load-config.js';

const VALID = `
tenants:
  - id: acme
    providers:
      openai: { apiKey: sk-test }
    tiers:
      fast: { provider: openai, model: gpt-4o-mini }
    users: [{ id: bob, role: member }]
`;


t.test('a config with three mistakes reports all three with their paths', async (t) => {
  const dir = t.testdir({
    'gateway.yaml': `
server:
  port: 99999
tenants:
  - id: acme
    providers:
      openai: { apiKey: "\${ACME_KEY}" }
    tiers:
      fast: { provider: openai, model: gpt-4o-mini }
  - id: globex
    providers:
      openai: { apiKey: sk-globex }
    tiers:
      fast: { provider: opneai, model: gpt-4o-mini }
`,
  });
  const path = join(dir, 'gateway.yaml');
  let error: unknown;
  try {
    loadConfig({ path, env: {} });
  } catch (err) {
    error = err;
  }
  t.ok(error instanceof ConfigError);
  const configError = error as ConfigError;
  t.equal(configError.file, path);
  t.same(
    configError.issues.map((issue) => issue.path),
    ['tenants[0].providers.openai.apiKey', 'server.port', 'tenants[1].tiers.fast.provider'],
  );
  t.equal(
    configError.message,
    [
      'tenants[0].providers.openai.apiKey: environment variable ACME_KEY is not set',
      'server.port: Too big: expected number to be <=65535',
      'tenants[1].tiers.fast.provider: unknown provider "opneai"',
    ].join('\n'),
  );
});

t.test('defaults are applied and the result is deeply frozen', async (t) => {
  const config = parseConfigText(VALID, {});
  t.same(config.server, {
    host: '127.0.0.1',
    port: 8080,
    maxBodyBytes: 2097152,
    maxJsonDepth: 64,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    keepAliveTimeoutMs: 65_000,
    maxConnections: 1024,
    maxConnectionsPerClient: 256,
    dlpWorkers: 1,
    dlpOffloadBytes: 65536,
  });
  t.equal(config.audit.sink, 'file');
  t.equal(config.redis, undefined);
  const acme = config.tenants[0];
  if (acme === undefined) throw new Error('tenant missing');
  t.same(acme.tiers.fast?.fallbacks, []);
  t.equal(acme.plan, 'team');

  t.ok(Object.isFrozen(config) && Object.isFrozen(acme.tiers) && Object.isFrozen(acme.users[0]));
  t.throws(() => {
    (config.server as { port: number }).port = 1;
  }, TypeError);
  t.throws(() => {
    (acme.users as { id: string; role: string }[]).push({ id: 'mallory', role: 'owner' });
  }, TypeError);
  t.throws(() => {
    (acme.providers as Record<string, unknown>).evil = { apiKey: 'x' };
  }, TypeError);
  t.equal(config.server.port, 8080);
  t.equal(acme.users.length, 1);
});

t.test('tenant ids must match ^[a-z0-9][a-z0-9-]{0,62}$', async (t) => {
  const withId = (id: string): string => VALID.replace('id: acme', `id: "${id}"`);
  for (const id of ['a', '0', 'acme-corp', 'a1-b2', 'x'.repeat(63)]) {
    t.equal(parseConfigText(withId(id), {}).tenants[0]?.id, id, `accepts ${id}`);
  }
  for (const id of ['', 'Acme', '-acme', 'acme_corp', 'acme.corp', 'acme corp', 'x'.repeat(64), 'ácme']) {
    t.same(issuesOf(() => parseConfigText(withId(id), {})), ['tenants[0].id: must match ^[a-z0-9][a-z0-9-]{0,62}$'], `rejects ${JSON.stringify(id)}`);
  }
});

t.test('structural errors name the path: unknown fields, missing and wrong values', async (t) => {
  const text = VALID.replace('model: gpt-4o-mini', 'modle: gpt-4o-mini').replace('role: member', 'role: superuser') + 'tenantz: []\n';
  t.same(issuesOf(() => parseConfigText(text, {})), [
    'tenants[0].tiers.fast.model: required (string)',
    'tenants[0].tiers.fast.modle: unknown field',
    'tenants[0].users[0].role: Invalid option: expected one of "owner"|"admin"|"member"',
    'tenantz: unknown field',
  ]);
  t.same(issuesOf(() => parseConfigText('server: { port: 1 }\n', {})), ['tenants: required (array)']);
  t.same(issuesOf(() => parseConfigText('tenants: []\n', {})), ['tenants: at least one tenant is required']);
  t.same(issuesOf(() => parseConfigText(VALID.replace('tiers:', 'tiers:\n      "bad name!": { provider: openai, model: m }'), {})), [
    'tenants[0].tiers["bad name!"]: invalid name: letters, digits and . _ : @ - only',
  ]);
});

t.test('error messages never echo a value', async (t) => {
  const secret = 'sk-live-0123456789abcdef';
  const text = VALID.replace('apiKey: sk-test', `apiKey: sk-test, baseUrl: "${secret}"`);
  const found = issuesOf(() => parseConfigText(text, {}));
  t.equal(found.length, 1);
  t.match(found[0], /^tenants\[0\]\.providers\.openai\.baseUrl: /);
  t.notOk(found.join('\n').includes(secret));
});

t.test('YAML syntax errors are reported with line and column', async (t) => {
  const found = issuesOf(() => parseConfigText('tenants:\n  - id: acme\n    tiers: [unclosed\n', {}, 'gw.yaml'));
  t.ok(found.length >= 1);
  t.match(found[0], /^gw\.yaml:\d+:\d+: YAML syntax error: /);
  t.same(issuesOf(() => parseConfigText('server: {}\nserver: {}\n', {}, 'gw.yaml')), ['gw.yaml:2:1: YAML syntax error: Map keys must be unique']);
});

t.test('an empty or unreadable file is a ConfigError', async (t) => {
  const dir = t.testdir({ 'empty.yaml': '# nothing\n' });
  t.same(issuesOf(() => loadConfig({ path: join(dir, 'empty.yaml'), env: {} })), ['(root): the config is empty']);
  t.same(issuesOf(() => loadConfig({ path: join(dir, 'missing.yaml'), env: {} })), [`${join(dir, 'missing.yaml')}: cannot read the config file (ENOENT)`]);
  t.same(issuesOf(() => parseConfigText('- just\n- a list\n', {})), ['(root): Invalid input: expected object, received array']);
});

t.test('resolveConfigPath: --config, --config=, WORKJET_CONFIG, default', async (t) => {
  t.equal(resolveConfigPath(['--config', 'a.yaml'], { WORKJET_CONFIG: 'b.yaml' }), 'a.yaml');
  t.equal(resolveConfigPath(['--port', '1', '--config=c.yaml'], {}), 'c.yaml');
  t.equal(resolveConfigPath([], { WORKJET_CONFIG: 'b.yaml' }), 'b.yaml');
  t.equal(resolveConfigPath([], { WORKJET_CONFIG: '' }), DEFAULT_CONFIG_PATH);
  t.equal(resolveConfigPath([], {}), 'config/gateway.yaml');
  t.throws(() => resolveConfigPath(['--config'], {}), ConfigError);
  t.throws(() => resolveConfigPath(['--config='], {}), ConfigError);
  t.throws(() => resolveConfigPath(['--config', '--verbose'], {}), ConfigError);
});
