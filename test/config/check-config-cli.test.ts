import t from 'tap';
import { join } from 'node:path';
import { runCli } from './run-cli.js';

const THREE_MISTAKES = `
tenants:
  - id: Acme
    providers:
      openai: { apiKey: "\${ACME_KEY}" }
    tiers:
      fast: { provider: opneai, model: gpt-4o-mini }
`;

const VALID = `
tenants:
  - id: acme
    providers:
      openai: { apiKey: "\${ACME_KEY}" }
    tiers:
      fast: { provider: openai, model: gpt-4o-mini }
`;

t.test('config:check exits 1 listing all three mistakes with their paths, 0 on a valid file', async (t) => {
  const dir = t.testdir({ 'bad.yaml': THREE_MISTAKES, 'good.yaml': VALID });
  // Two process starts; the ways of naming the file are unit-tested in load-config.test.ts.
  const [bad, good] = await Promise.all([
    runCli('proxy/cli/check-config.ts', ['--config', join(dir, 'bad.yaml')]),
    runCli('proxy/cli/check-config.ts', [], { env: { ACME_KEY: 'sk-1', WORKJET_CONFIG: join(dir, 'good.yaml') } }),
  ]);

  t.equal(bad.status, 1);
  t.equal(bad.stdout, '');
  const lines = bad.stderr.trim().split('\n');
  t.match(lines[0], /bad\.yaml: invalid configuration \(3 problems\)$/);
  t.same(lines.slice(1), [
    'tenants[0].providers.openai.apiKey: environment variable ACME_KEY is not set',
    'tenants[0].id: must match ^[a-z0-9][a-z0-9-]{0,62}$',
    'tenants[0].tiers.fast.provider: unknown provider "opneai"',
  ]);

  t.equal(good.status, 0, good.stderr);
  t.match(good.stdout, /good\.yaml: OK \(1 tenant: acme\)/);
});
