import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../proxy/config/config-error.js';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchemaText } from '../../proxy/config/json-schema.js';
import { loadConfig } from '../../proxy/config/load-config.js';
import { DEMO_API_KEY as DEMO_KEY } from '../../proxy/cli/demo-key.js';
import { hashApiKey, looksLikeApiKey } from '../../proxy/identity/api-keys.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const EXAMPLE_ENV = {
  DATABASE_URL: 'postgres://workjet:pw@127.0.0.1:5432/workjet',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AUDIT_BUCKET: 'audit-logs',
  S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com',
  S3_KEY_ID: 'key-id',
  S3_SECRET: 'secret',
  WORKJET_JWT_SECRET: 'a-test-secret-that-is-long-enough-32',
  ACME_OPENAI_KEY: 'sk-acme',
  ACME_ANTHROPIC_KEY: 'sk-ant-acme',
  GLOBEX_ANTHROPIC_KEY: 'sk-ant-globex',
  GLOBEX_GROQ_KEY: 'gsk-globex',
};

function yamlFiles(): string[] {
  const top = readdirSync(join(root, 'config')).filter((name) => name.endsWith('.yaml')).map((name) => join(root, 'config', name));
  const examples = readdirSync(join(root, 'config/examples')).filter((name) => name.endsWith('.yaml')).map((name) => join(root, 'config/examples', name));
  return [...top, ...examples];
}

t.test('the demo config validates and serves every tier from the demo provider', async (t) => {
  const config = loadConfig({ path: join(root, 'config/gateway.yaml'), env: {} });
  t.match(config.server, { host: '127.0.0.1', port: 8080, maxBodyBytes: 2097152, maxJsonDepth: 64, headersTimeoutMs: 10_000 });
  t.equal(config.tenants.length, 1);
  const demo = config.tenants[0];
  if (demo === undefined) throw new Error('no tenant');
  t.equal(demo.id, 'demo');
  t.equal(demo.plan, 'team');
  t.same(Object.keys(demo.tiers).sort(), ['claude', 'fast', 'smart']);
  for (const tier of Object.values(demo.tiers)) t.equal(demo.providers[tier.provider]?.type, 'demo');
  t.same(demo.users.map((user) => user.role).sort(), ['member', 'owner']);
  t.same(demo.dlp.detectors, { email: 'redact' });
  t.same(demo.rateLimits.perUser, { requestsPerMinute: 120, tokensPerMinute: 400000 });
  t.equal(demo.budget?.monthlyUsd, 50);
});

t.test('the documented demo key is the configured one', async (t) => {
  t.ok(looksLikeApiKey(DEMO_KEY));
  const config = loadConfig({ path: join(root, 'config/gateway.yaml'), env: {} });
  t.same(config.tenants[0]?.apiKeys.map((key) => key.sha256), [hashApiKey(DEMO_KEY)]);
  t.ok(readFileSync(join(root, 'config/gateway.yaml'), 'utf8').includes(DEMO_KEY), 'the YAML comment shows the public key');
});

t.test('the examples validate with their variables set, and name each missing one without', async (t) => {
  const production = join(root, 'config/examples/production.yaml');
  const config = loadConfig({ path: production, env: EXAMPLE_ENV });
  t.same(config.tenants.map((tenant) => tenant.id), ['acme', 'globex']);
  t.equal(config.audit.sink, 's3');
  t.equal(config.audit.s3?.bucket, 'audit-logs');
  t.equal(config.redis?.url, 'redis://127.0.0.1:6379');
  t.same(config.store, { kind: 'postgres', url: 'postgres://workjet:pw@127.0.0.1:5432/workjet', appRole: 'workjet_app', poolSize: 10 });
  t.equal(config.tenants[0]?.providers.openai?.apiKey, 'sk-acme');

  let missing: string[] = [];
  try {
    loadConfig({ path: production, env: {} });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    missing = err.issues.map((issue) => issue.message);
  }
  t.same(missing.sort(), Object.keys(EXAMPLE_ENV).map((name) => `environment variable ${name} is not set`).sort());

  const dedicated = loadConfig({ path: join(root, 'config/examples/dedicated.yaml'), env: EXAMPLE_ENV });
  t.equal(dedicated.dedicatedTenant, 'acme');
});

t.test('config/gateway.schema.json is up to date with the zod schema', async (t) => {
  const committed = readFileSync(join(root, CONFIG_JSON_SCHEMA_PATH), 'utf8');
  t.ok(committed === configJsonSchemaText(), 'stale: run `npm run config:schema` and commit config/gateway.schema.json');
});

t.test('every shipped config names the JSON schema and passes it', async (t) => {
  const schema: unknown = JSON.parse(readFileSync(join(root, CONFIG_JSON_SCHEMA_PATH), 'utf8'));
  const ajv = new Ajv({ allErrors: true, validateFormats: false });
  const validate = ajv.compile(schema as object);
  for (const file of yamlFiles()) {
    const text = readFileSync(file, 'utf8');
    const line = text.split('\n')[0] ?? '';
    const match = /^# yaml-language-server: \$schema=(.+)$/.exec(line);
    t.ok(match, `${relative(root, file)} starts with the yaml-language-server line`);
    if (match?.[1] !== undefined) t.equal(join(dirname(file), match[1]), join(root, CONFIG_JSON_SCHEMA_PATH));
    t.ok(validate(parseYaml(text)), `${relative(root, file)} passes the JSON schema: ${ajv.errorsText(validate.errors)}`);
  }
  t.notOk(validate({ tenants: [{ id: 'Bad Id', tierz: {} }] }), 'the JSON schema rejects a broken config');
  t.ok(validate({ tenants: [{ id: 'acme' }] }), 'fields with defaults are optional');
});
