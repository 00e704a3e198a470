import t from 'tap';
import { issuesOf } from './config-issues.js';
import { interpolateString } from '../../proxy/config/interpolate.js';
import { parseConfigText } from '../../proxy/config/load-config.js';

function yaml(providerLine: string, server = ''): string {
  return `${server}
tenants:
  - id: acme
    providers:
      openai: ${providerLine}
    tiers:
      fast: { provider: openai, model: gpt-4o-mini }
`;
}


t.test('interpolateString replaces, escapes and reports', async (t) => {
  const env = { A: 'alpha', B: 'beta', EMPTY: '' };
  t.same(interpolateString('${A}-${B}/${A}', env), { value: 'alpha-beta/alpha', missing: [], malformed: [], substituted: 3 });
  t.same(interpolateString('x${EMPTY}y', env).value, 'xy');
  t.same(interpolateString('$${A} and $${NOPE}', env), { value: '${A} and ${NOPE}', missing: [], malformed: [], substituted: 0 });
  t.same(interpolateString('cost $5, a$$b, $A, end$', env).value, 'cost $5, a$$b, $A, end$');
  t.same(interpolateString('${X}${Y}${X}', env).missing, ['X', 'Y']);
  t.same(interpolateString('${} ${1A} ${a-b} ${open', env).malformed, ['${}', '${1A}', '${a-b}', '${open']);
});

t.test('a missing variable is an error naming the variable and the path, all collected', async (t) => {
  const text = yaml('{ apiKey: "${ACME_KEY}", baseUrl: "https://${HOST}/v1" }', 'redis: { url: "${REDIS_URL}" }');
  t.same(issuesOf(() => parseConfigText(text, {})), [
    'redis.url: environment variable REDIS_URL is not set',
    'tenants[0].providers.openai.apiKey: environment variable ACME_KEY is not set',
    'tenants[0].providers.openai.baseUrl: environment variable HOST is not set',
  ]);
  const config = parseConfigText(text, { ACME_KEY: 'sk-1', HOST: 'api.openai.com', REDIS_URL: 'redis://127.0.0.1:6379' });
  t.equal(config.tenants[0]?.providers.openai?.apiKey, 'sk-1');
  t.equal(config.tenants[0]?.providers.openai?.baseUrl, 'https://api.openai.com/v1');
  t.equal(config.redis?.url, 'redis://127.0.0.1:6379');
});

t.test('malformed references are errors with their path', async (t) => {
  t.same(issuesOf(() => parseConfigText(yaml('{ apiKey: "${ACME KEY}" }'), {})), [
    'tenants[0].providers.openai.apiKey: malformed variable reference "${ACME KEY}" (use ${NAME}, or $${ for a literal ${)',
  ]);
});

t.test('$${NAME} is a literal ${NAME}', async (t) => {
  const config = parseConfigText(yaml('{ apiKey: "pre-$${NOT_A_VAR}" }'), {});
  t.equal(config.tenants[0]?.providers.openai?.apiKey, 'pre-${NOT_A_VAR}');
});

t.test('values are interpolated after parsing, so YAML syntax in a value stays text', async (t) => {
  const nasty = 'a"b: c\n- d # e\n}{]: [&x *x';
  const config = parseConfigText(yaml('{ apiKey: "${KEY}" }'), { KEY: nasty });
  t.equal(config.tenants[0]?.providers.openai?.apiKey, nasty);
  const plain = parseConfigText(yaml('\n        apiKey: ${KEY}'), { KEY: 'x: y' });
  t.equal(plain.tenants[0]?.providers.openai?.apiKey, 'x: y', 'a plain scalar that would parse as a map stays a string');
});

t.test('an unquoted reference keeps YAML typing; a quoted one stays a string', async (t) => {
  const server = 'server:\n  port: ${PORT}\n  host: ${HOST}';
  const config = parseConfigText(yaml('{ apiKey: k }', server), { PORT: '9090', HOST: '0.0.0.0' });
  t.equal(config.server.port, 9090);
  t.equal(config.server.host, '0.0.0.0');
  t.same(issuesOf(() => parseConfigText(yaml('{ apiKey: k }', 'server:\n  port: "${PORT}"'), { PORT: '9090' })), [
    'server.port: Invalid input: expected number, received string',
  ]);
  // Hence the advice to quote references to string fields such as keys.
  t.same(issuesOf(() => parseConfigText(yaml('\n        apiKey: ${KEY}'), { KEY: '12345' })), [
    'tenants[0].providers.openai.apiKey: Invalid input: expected string, received number',
  ]);
  t.equal(parseConfigText(yaml('\n        apiKey: "${KEY}"'), { KEY: '12345' }).tenants[0]?.providers.openai?.apiKey, '12345');
});
