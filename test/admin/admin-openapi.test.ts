// GET /admin/v1/openapi.json: an OpenAPI 3.1 document generated from the Zod schemas that
// validate the bodies. The test validates request bodies against the served document (ajv,
// JSON Schema 2020-12) and sends the same bodies to the gateway: both must agree on every one.
// Real answers are validated against the documented answer schemas too.
import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from '../server/fixtures/tenants.js';
import { adminCall, TEST_MASTER_KEY } from './admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());
const { config, keys } = twoTenants(fake);
const gw = await startGateway(t, config, { storeEnv: { WORKJET_MASTER_KEY: TEST_MASTER_KEY } });
const call = (method: string, path: string, key: string | undefined, body?: unknown) => adminCall(gw.origin, method, path, key, body);

interface Operation {
  requestBody?: { content: { 'application/json': { schema: object } } };
  responses: Record<string, { content?: { 'application/json': { schema: object } } }>;
}
const served = await call('GET', '/admin/v1/openapi.json', undefined);
const doc = served.body as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema({ $id: 'openapi.json', components: doc.components }, 'openapi.json');
const compile = (schema: object) => ajv.compile({ $id: `op-${Math.random()}`, ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) });

t.test('served without a credential, OpenAPI 3.1, every DESIGN route documented', async (t) => {
  t.equal(served.status, 200);
  t.equal(doc.openapi, '3.1.0');
  const want: Array<[string, string]> = [
    ['get', '/admin/v1/keys'], ['post', '/admin/v1/keys'], ['delete', '/admin/v1/keys/{id}'],
    ['get', '/admin/v1/users'], ['post', '/admin/v1/users'], ['patch', '/admin/v1/users/{id}'], ['delete', '/admin/v1/users/{id}'],
    ['get', '/admin/v1/routing'], ['put', '/admin/v1/routing/providers/{name}'], ['delete', '/admin/v1/routing/providers/{name}'],
    ['put', '/admin/v1/routing/tiers/{name}'], ['delete', '/admin/v1/routing/tiers/{name}'],
    ['get', '/admin/v1/dlp'], ['put', '/admin/v1/dlp'], ['get', '/admin/v1/limits'], ['put', '/admin/v1/limits'],
    ['get', '/admin/v1/budget'], ['put', '/admin/v1/budget'], ['get', '/admin/v1/usage'], ['get', '/admin/v1/audit'], ['get', '/admin/v1/audit/{logId}'],
    ['post', '/operator/v1/tenants'], ['get', '/operator/v1/tenants'], ['post', '/operator/v1/tenants/{id}/disable'],
  ];
  for (const [method, path] of want) t.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
  t.notOk(served.text.includes('sk-'), 'no secret in the document');
});

// [method, path (as called), documented path, caller, body]: valid and invalid bodies alike.
const bodies: Array<[string, string, string, string, unknown]> = [
  ['POST', '/admin/v1/keys', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', name: 'ok' }],
  ['POST', '/admin/v1/keys', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', expiresAt: 'soon' }],
  ['POST', '/admin/v1/keys', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice', extra: 1 }],
  ['POST', '/admin/v1/keys', '/admin/v1/keys', keys.acmeAdmin, { name: 'no user' }],
  ['POST', '/admin/v1/users', '/admin/v1/users', keys.acmeAdmin, { id: 'newbie', role: 'member' }],
  ['POST', '/admin/v1/users', '/admin/v1/users', keys.acmeAdmin, { id: 'x', role: 'root' }],
  ['POST', '/admin/v1/users', '/admin/v1/users', keys.acmeAdmin, { id: 'has space', role: 'member' }],
  ['PATCH', '/admin/v1/users/newbie', '/admin/v1/users/{id}', keys.acmeAdmin, { role: 'admin' }],
  ['PATCH', '/admin/v1/users/newbie', '/admin/v1/users/{id}', keys.acmeAdmin, { role: 'admin', id: 'x' }],
  ['PUT', '/admin/v1/routing/providers/p1', '/admin/v1/routing/providers/{name}', keys.acmeOwner, { type: 'anthropic', baseUrl: 'https://api.example.com' }],
  ['PUT', '/admin/v1/routing/providers/p1', '/admin/v1/routing/providers/{name}', keys.acmeOwner, { type: 'nope' }],
  ['PUT', '/admin/v1/routing/providers/p1', '/admin/v1/routing/providers/{name}', keys.acmeOwner, { type: 'openai', apiKey: '' }],
  ['PUT', '/admin/v1/routing/tiers/t1', '/admin/v1/routing/tiers/{name}', keys.acmeAdmin, { provider: 'openai', model: 'gpt-acme', fallbacks: ['fast', { provider: 'anthropic', model: 'claude-acme' }], tags: ['a'] }],
  ['PUT', '/admin/v1/routing/tiers/t1', '/admin/v1/routing/tiers/{name}', keys.acmeAdmin, { provider: 'openai' }],
  ['PUT', '/admin/v1/routing/tiers/t1', '/admin/v1/routing/tiers/{name}', keys.acmeAdmin, { provider: 'openai', model: 'm', fallbacks: 'fast' }],
  ['PUT', '/admin/v1/dlp', '/admin/v1/dlp', keys.acmeAdmin, { detectors: { email: 'redact' }, customPatterns: [{ name: 'code', pattern: 'C-[0-9]{4}', action: 'log' }] }],
  ['PUT', '/admin/v1/dlp', '/admin/v1/dlp', keys.acmeAdmin, { detectors: { email: 'scream' }, customPatterns: [] }],
  ['PUT', '/admin/v1/dlp', '/admin/v1/dlp', keys.acmeAdmin, { detectors: {}, customPatterns: [{ name: 'Bad Name', pattern: 'x', action: 'log' }] }],
  ['PUT', '/admin/v1/limits', '/admin/v1/limits', keys.globexAdmin, { perUser: { requestsPerMinute: 100 }, perTenant: { tokensPerMinute: 100000 } }],
  ['PUT', '/admin/v1/limits', '/admin/v1/limits', keys.globexAdmin, { perUser: { requestsPerMinute: 1.5 } }],
  ['PUT', '/admin/v1/limits', '/admin/v1/limits', keys.globexAdmin, { perGalaxy: {} }],
];

t.test('the document and the gateway agree on every body', async (t) => {
  for (const [method, path, documented, key, body] of bodies) {
    const op = doc.paths[documented]?.[method.toLowerCase()];
    const schema = op?.requestBody?.content['application/json'].schema;
    if (!schema) {
      t.fail(`${method} ${documented} documents its body`);
      continue;
    }
    const validByDoc = compile(schema)(body);
    const reply = await call(method, path, key, body);
    const validByGateway = reply.status < 300;
    t.equal(validByGateway, validByDoc, `${method} ${path} ${JSON.stringify(body)}: document says ${validByDoc ? 'valid' : 'invalid'}, gateway answered ${reply.status} ${reply.text.slice(0, 160)}`);
    if (!validByGateway) t.match(reply.body, { error: { code: 'invalid_request', param: String } }, 'a 400 names the field');
  }
});

t.test('real answers match their documented schemas', async (t) => {
  for (const [path, key] of [['/admin/v1/keys', keys.acmeAdmin], ['/admin/v1/users', keys.acmeAdmin], ['/admin/v1/routing', keys.acmeAdmin], ['/admin/v1/dlp', keys.acmeAdmin], ['/admin/v1/limits', keys.acmeAdmin], ['/admin/v1/budget', keys.acmeOwner]] as const) {
    const reply = await call('GET', path, key);
    const schema = doc.paths[path]?.['get']?.responses['200']?.content?.['application/json'].schema;
    t.ok(schema, `${path} documents its answer`);
    const validate = compile(schema ?? {});
    t.ok(validate(reply.body), `${path}: ${JSON.stringify(validate.errors ?? [])}`);
  }
  const created = await call('POST', '/admin/v1/keys', keys.acmeAdmin, { user: 'alice' });
  const schema = doc.paths['/admin/v1/keys']?.['post']?.responses['201']?.content?.['application/json'].schema ?? {};
  t.ok(compile(schema)(created.body), 'the 201 of a key creation');
});
