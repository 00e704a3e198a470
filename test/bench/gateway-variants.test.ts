// The bench's gateway variants are valid gateway configs (a bad one would only show as a target
// that fails to start), and gw-all really turns every stage on.
import t from 'tap';
import { parseConfig } from '../../proxy/config/load-config.js';
import { GATEWAY_VARIANTS, type BenchEnvironment } from '../../bench/gateway-variants.js';
import { builtInDetectorNames } from '../../bench/dlp-detectors.js';

const env: BenchEnvironment = {
  upstreamBaseUrl: 'http://127.0.0.1:9/v1',
  apiKeySha256: 'a'.repeat(64),
  policyBundle: '/nonexistent/bundle.tar.gz',
  dataDir: '/tmp/wj-bench-variant-test',
  redisUrl: 'redis://127.0.0.1:6379',
  dlpDetectors: builtInDetectorNames(),
};

t.test('every variant parses as a gateway config', async (t) => {
  for (const variant of GATEWAY_VARIANTS) {
    t.doesNotThrow(() => parseConfig(variant.config(env), { file: variant.name }), variant.name);
  }
});

t.test('gw-all: policy, every built-in detector, limits, budget and the durable spool at once', async (t) => {
  const variant = GATEWAY_VARIANTS.find((v) => v.name === 'gw-all');
  if (!variant) return t.fail('gw-all is a variant');
  const config = parseConfig(variant.config(env), { file: 'gw-all' });
  const tenant = config.tenants[0];
  t.equal(config.audit.durability, 'spool');
  t.same(Object.keys(tenant?.dlp.detectors ?? {}).sort(), [...builtInDetectorNames()].sort());
  t.ok(tenant?.rateLimits?.perUser, 'per-user rate limits');
  t.ok(tenant?.budget?.monthlyUsd, 'a monthly budget');
  t.equal(config.redis, undefined, 'limits and budget in process and SQLite, no Redis');
});
