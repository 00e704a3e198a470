import t from 'tap';
import { createHash } from 'node:crypto';
import { ConfigError } from '../../proxy/config/config-error.js';
import { parseConfig } from '../../proxy/config/load-config.js';

// Reference checks, each pinned by the exact `path: message` line a user sees.

type Raw = Record<string, unknown> & { tenants: Record<string, unknown>[] };

const sha = (seed: string): string => createHash('sha256').update(seed).digest('hex');

function tenant(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    providers: { openai: { apiKey: 'sk-test' }, demo: { type: 'demo' } },
    tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' }, play: { provider: 'demo', model: 'demo-fast' } },
    users: [{ id: 'alice', role: 'owner' }, { id: 'bob', role: 'member' }],
    apiKeys: [{ id: `key-${id}`, user: 'bob', sha256: sha(id) }],
    ...extra,
  };
}

function base(): Raw {
  return { pricing: { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'demo-fast': { input: 0, output: 0 } }, tenants: [tenant('acme'), tenant('globex')] };
}

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw err;
  }
  return [];
}

t.test('the base config is valid', async (t) => {
  t.same(problems(base()), []);
});

t.test('a tier naming an undeclared provider', async (t) => {
  const raw = base();
  raw.tenants[1] = tenant('globex', { tiers: { fast: { provider: 'opneai', model: 'gpt-4o-mini' } } });
  t.same(problems(raw), ['tenants[1].tiers.fast.provider: unknown provider "opneai"']);
});

t.test('provider type comes from type or from a known name', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', {
    providers: { openai: { apiKey: 'k' }, anthropic: { apiKey: 'k' }, demo: {}, groq: { type: 'openai', apiKey: 'k', baseUrl: 'https://api.groq.com/openai/v1' }, mystery: { apiKey: 'k' } },
  });
  t.same(problems(raw), ['tenants[0].providers.mystery: unknown provider type for "mystery": set type to openai, anthropic, gemini, azure_openai, openai_compatible or demo']);
});

t.test('providers other than demo need an apiKey', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', { providers: { openai: {}, anthropic: { apiKey: '' }, demo: { type: 'demo' }, local: { type: 'demo' } } });
  t.same(problems(raw), ['tenants[0].providers.openai.apiKey: required for an openai provider', 'tenants[0].providers.anthropic.apiKey: required for an anthropic provider']);
});

t.test('fallbacks name existing tiers or declared providers', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', {
    tiers: {
      fast: { provider: 'openai', model: 'gpt-4o-mini', fallbacks: ['play', { provider: 'demo', model: 'demo-fast' }] },
      bad: { provider: 'openai', model: 'gpt-4o-mini', fallbacks: ['nope', 'bad', 'demo', { provider: 'zz', model: 'm' }] },
      play: { provider: 'demo', model: 'demo-fast' },
    },
  });
  t.same(problems(raw), [
    'tenants[0].tiers.bad.fallbacks[0]: unknown tier "nope"',
    'tenants[0].tiers.bad.fallbacks[1]: a tier cannot fall back to itself',
    'tenants[0].tiers.bad.fallbacks[2]: unknown tier "demo" (to fall back to provider "demo", write { provider: demo, model: … })',
    'tenants[0].tiers.bad.fallbacks[3].provider: unknown provider "zz"',
  ]);
});

t.test('api keys name declared users', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', { apiKeys: [{ id: 'k1', user: 'mallory', sha256: sha('x') }] });
  t.same(problems(raw), ['tenants[0].apiKeys[0].user: unknown user "mallory"']);
});

t.test('duplicate tenant ids', async (t) => {
  const raw = base();
  raw.tenants.push(tenant('acme', { apiKeys: [] }));
  t.same(problems(raw), ['tenants[2].id: duplicate tenant id "acme" (also tenants[0])']);
});

t.test('duplicate user ids within a tenant', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', { users: [{ id: 'bob', role: 'owner' }, { id: 'bob', role: 'member' }] });
  t.same(problems(raw), ['tenants[0].users[1].id: duplicate user id "bob" (also tenants[0].users[0])']);
});

t.test('key ids and key hashes are unique across tenants', async (t) => {
  const raw = base();
  raw.tenants[1] = tenant('globex', { apiKeys: [{ id: 'key-acme', user: 'bob', sha256: sha('other') }, { id: 'key-2', user: 'bob', sha256: sha('acme') }] });
  const found = problems(raw);
  t.same(found, ['tenants[1].apiKeys[0].id: duplicate key id "key-acme" (also tenants[0].apiKeys[0])', 'tenants[1].apiKeys[1].sha256: duplicate key hash (also tenants[0].apiKeys[0])']);
  t.notOk(found.join('\n').includes(sha('acme')), 'the duplicated hash is not printed');

  const within = base();
  within.tenants[0] = tenant('acme', { apiKeys: [{ id: 'a', user: 'bob', sha256: sha('z') }, { id: 'b', user: 'bob', sha256: sha('z') }] });
  t.same(problems(within), ['tenants[0].apiKeys[1].sha256: duplicate key hash (also tenants[0].apiKeys[0])']);
});

t.test('a tenant with a budget needs pricing for every tier and fallback model', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', {
    budget: { monthlyUsd: 10 },
    tiers: {
      fast: { provider: 'openai', model: 'gpt-4o-mini', fallbacks: [{ provider: 'openai', model: 'gpt-4.1' }] },
      smart: { provider: 'openai', model: 'gpt-4o' },
    },
  });
  t.same(problems(raw), [
    'tenants[0].tiers.fast.fallbacks[0].model: no pricing for model "gpt-4.1": tenant "acme" has a budget, so add it under pricing',
    'tenants[0].tiers.smart.model: no pricing for model "gpt-4o": tenant "acme" has a budget, so add it under pricing',
  ]);
  raw.pricing = { ...(raw.pricing as object), 'gpt-4.1': { input: 2, output: 8 }, 'gpt-4o': { input: 2.5, output: 10 } };
  t.same(problems(raw), []);
  // Without a budget nothing needs a price.
  const noBudget = base();
  noBudget.pricing = {};
  t.same(problems(noBudget), []);
});

t.test('base URLs must be http(s) without credentials', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', {
    providers: { openai: { apiKey: 'k', baseUrl: 'ftp://files.example/v1' }, anthropic: { apiKey: 'k', baseUrl: 'https://user:pw@api.anthropic.com' }, demo: {} },
  });
  const found = problems(raw);
  t.same(found, ['tenants[0].providers.openai.baseUrl: must be an http(s) URL, not ftp:', 'tenants[0].providers.anthropic.baseUrl: must not contain credentials (put the key in apiKey)']);
  t.notOk(found.join('\n').includes('pw'), 'the credentials are not echoed');
});

t.test('base URLs must match a non-empty allowlist, origin and path segments', async (t) => {
  const raw = base();
  raw.upstream = { allowedBaseUrls: ['https://api.openai.com', 'https://api.groq.com/openai'] };
  raw.tenants[0] = tenant('acme', {
    providers: {
      openai: { apiKey: 'k' },
      groq: { type: 'openai', apiKey: 'k', baseUrl: 'https://api.groq.com/openai/v1' },
      evil: { type: 'openai', apiKey: 'k', baseUrl: 'https://api.openai.com.evil.example/v1' },
      sideways: { type: 'openai', apiKey: 'k', baseUrl: 'https://api.groq.com/openaix/v1' },
      internal: { type: 'openai', apiKey: 'k', baseUrl: 'http://169.254.169.254/latest' },
      anthropic: { apiKey: 'k' },
      demo: {},
    },
  });
  t.same(problems(raw), [
    'tenants[0].providers.evil.baseUrl: https://api.openai.com.evil.example is not in upstream.allowedBaseUrls',
    'tenants[0].providers.sideways.baseUrl: https://api.groq.com is not in upstream.allowedBaseUrls',
    'tenants[0].providers.internal.baseUrl: http://169.254.169.254 is not in upstream.allowedBaseUrls',
    'tenants[0].providers.anthropic.baseUrl: https://api.anthropic.com is not in upstream.allowedBaseUrls (the default base URL https://api.anthropic.com)',
  ]);
});

t.test('allowlist entries must be http(s) URLs', async (t) => {
  const raw = base();
  raw.upstream = { allowedBaseUrls: ['https://api.openai.com', 'api.openai.com', 'file:///etc'] };
  t.same(problems(raw), ['upstream.allowedBaseUrls[1]: is not a valid URL', 'upstream.allowedBaseUrls[2]: must be an http(s) URL, not file:']);
});

t.test('dedicatedTenant names a configured tenant, and no other tenant may be configured', async (t) => {
  const unknown = base();
  unknown.dedicatedTenant = 'initech';
  t.same(problems(unknown), [
    'dedicatedTenant: unknown tenant "initech"',
    'tenants[0].id: tenant "acme" is not allowed: this instance is dedicated to tenant "initech"',
    'tenants[1].id: tenant "globex" is not allowed: this instance is dedicated to tenant "initech"',
  ]);
  const other = base();
  other.dedicatedTenant = 'acme';
  t.same(problems(other), ['tenants[1].id: tenant "globex" is not allowed: this instance is dedicated to tenant "acme"']);
  const alone = base();
  alone.dedicatedTenant = 'acme';
  alone.tenants = [tenant('acme')];
  t.same(problems(alone), []);
});

t.test('auth.jwt needs a secret, a JWKS file or a JWKS URL', async (t) => {
  const raw = base();
  raw.auth = { jwt: { issuer: 'https://app.example' } };
  t.same(problems(raw), ['auth.jwt: needs secret, jwksFile or jwksUrl']);
  raw.auth = { jwt: { secret: 'x'.repeat(32) } };
  t.same(problems(raw), []);
  raw.auth = { jwt: { secret: 'x'.repeat(31) } };
  t.same(problems(raw), ['auth.jwt.secret: must be at least 32 characters']);
  raw.auth = { jwt: { jwksFile: 'config/jwks.json' } };
  t.same(problems(raw), []);
});

t.test('audit sink s3 needs its s3 section', async (t) => {
  const raw = base();
  raw.audit = { sink: 's3' };
  t.same(problems(raw), ['audit.s3: required when audit.sink is s3']);
});

t.test('DLP detectors exist; custom patterns compile in RE2 and have unique, non-built-in names', async (t) => {
  const raw = base();
  raw.tenants[0] = tenant('acme', {
    dlp: {
      detectors: { email: 'redact', emial: 'block' },
      custom: [
        { name: 'code', pattern: 'PRJ-[0-9]{6}', action: 'block' },
        { name: 'lookbehind', pattern: '(?<=x)y', action: 'log' },
        { name: 'code', pattern: 'X', action: 'redact' },
        { name: 'email', pattern: 'mail', action: 'log' },
        { name: 'anything', pattern: 'a*', action: 'log' },
      ],
    },
  });
  const found = problems(raw);
  t.equal(found.length, 5);
  t.match(found[0], /^tenants\[0\]\.dlp\.detectors\.emial: unknown detector "emial" \(known: .*email.*\)$/);
  t.match(found[1], /^tenants\[0\]\.dlp\.custom\[1\]\.pattern: invalid RE2 pattern: .+/);
  t.equal(found[2], 'tenants[0].dlp.custom[2].name: duplicate pattern name "code" (also tenants[0].dlp.custom[0])');
  t.equal(found[3], 'tenants[0].dlp.custom[3].name: "email" is a built-in detector name');
  t.equal(found[4], 'tenants[0].dlp.custom[4].pattern: invalid RE2 pattern: pattern matches the empty string');
});

t.test('structural and reference mistakes are reported together, each once', async (t) => {
  const raw = base();
  raw.server = { port: 'eighty' };
  raw.tenants[0] = tenant('Acme!', { tiers: { fast: { provider: 'opneai', model: 'gpt-4o-mini' } }, apiKeys: [] });
  raw.tenants[1] = tenant('globex', { providers: { openai: { apiKey: 42 } }, tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' } } });
  // The wrong-typed apiKey is reported once (not again as "required"), references still run.
  t.same(problems(raw), [
    'server.port: Invalid input: expected number, received string',
    'tenants[0].id: must match ^[a-z0-9][a-z0-9-]{0,62}$',
    'tenants[1].providers.openai.apiKey: Invalid input: expected string, received number',
    'tenants[0].tiers.fast.provider: unknown provider "opneai"',
  ]);
});
