// The skills and marketplace routes in /admin/v1/openapi.json: every route documented, bodies
// judged alike by the document and the gateway, and real answers valid against their schemas.
import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from '../server/fixtures/tenants.js';
import { adminCall } from './admin-client.js';

const fake = await startFakeProvider();
t.teardown(() => fake.close());
const { config, keys } = twoTenants(fake);
const gw = await startGateway(t, config);
const call = (method: string, path: string, key: string | undefined, body?: unknown) => adminCall(gw.origin, method, path, key, body);

interface Operation {
  requestBody?: { content: { 'application/json': { schema: object } } };
  responses: Record<string, { content?: { 'application/json': { schema: object } } }>;
}
const doc = (await call('GET', '/admin/v1/openapi.json', undefined)).body as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema({ $id: 'openapi.json', components: doc.components }, 'openapi.json');
const compile = (schema: object) => ajv.compile({ $id: `op-${Math.random()}`, ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) });
const answerSchema = (path: string, method: string, status: string) => doc.paths[path]?.[method]?.responses[status]?.content?.['application/json'].schema;

t.test('every skills route is documented', async (t) => {
  for (const [method, path] of [
    ['get', '/admin/v1/skills'],
    ['post', '/admin/v1/skills'],
    ['get', '/admin/v1/skills/{id}'],
    ['patch', '/admin/v1/skills/{id}'],
    ['delete', '/admin/v1/skills/{id}'],
    ['post', '/admin/v1/skills/{id}/publish'],
    ['post', '/admin/v1/skills/{id}/unpublish'],
    ['get', '/admin/v1/marketplace/skills'],
    ['post', '/admin/v1/marketplace/skills/{listingId}/install'],
  ] as const) {
    t.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
  }
});

t.test('bodies: the document and the gateway agree', async (t) => {
  const existing = (await call('POST', '/admin/v1/skills', keys.acmeMember, { name: 'x', description: '', systemPrompt: 'p' })).body.id as string;
  const bodies: [string, string, string, unknown][] = [
    ['POST', '/admin/v1/skills', '/admin/v1/skills', { name: 'n', description: 'd', systemPrompt: 'p' }],
    ['POST', '/admin/v1/skills', '/admin/v1/skills', { name: 'n', description: 'd' }],
    ['POST', '/admin/v1/skills', '/admin/v1/skills', { name: '', description: 'd', systemPrompt: 'p' }],
    ['POST', '/admin/v1/skills', '/admin/v1/skills', { name: 'n', description: 'd', systemPrompt: 'p', system_prompt: 'typo' }],
    ['PATCH', `/admin/v1/skills/${existing}`, '/admin/v1/skills/{id}', { description: 'changed' }],
    ['PATCH', `/admin/v1/skills/${existing}`, '/admin/v1/skills/{id}', { systemPrompt: 42 }],
  ];
  for (const [method, path, documented, body] of bodies) {
    const schema = doc.paths[documented]?.[method.toLowerCase()]?.requestBody?.content['application/json'].schema;
    if (!schema) {
      t.fail(`${method} ${documented} documents its body`);
      continue;
    }
    const validByDoc = compile(schema)(body);
    const reply = await call(method, path, keys.acmeMember, body);
    t.equal(reply.status < 300, validByDoc, `${method} ${JSON.stringify(body)}: gateway answered ${reply.status} ${reply.text.slice(0, 120)}`);
    if (reply.status >= 300) t.match(reply.body, { error: { code: 'invalid_request', param: String } });
  }
});

t.test('real answers match their documented schemas', async (t) => {
  const created = await call('POST', '/admin/v1/skills', keys.acmeAdmin, { name: 'Doc', description: 'documented', systemPrompt: 'p' });
  t.ok(compile(answerSchema('/admin/v1/skills', 'post', '201') ?? {})(created.body), 'the 201 of a creation');
  t.ok(compile(answerSchema('/admin/v1/skills', 'get', '200') ?? {})((await call('GET', '/admin/v1/skills', keys.acmeAdmin)).body), 'the list');
  const published = await call('POST', `/admin/v1/skills/${created.body.id}/publish`, keys.acmeAdmin);
  t.ok(compile(answerSchema('/admin/v1/skills/{id}/publish', 'post', '200') ?? {})(published.body), 'publish');
  const page = await call('GET', '/admin/v1/marketplace/skills?q=documented', keys.globexMember);
  t.ok(compile(answerSchema('/admin/v1/marketplace/skills', 'get', '200') ?? {})(page.body), 'the marketplace page');
  const installed = await call('POST', `/admin/v1/marketplace/skills/${published.body.listingId}/install`, keys.globexMember);
  t.ok(compile(answerSchema('/admin/v1/marketplace/skills/{listingId}/install', 'post', '201') ?? {})(installed.body), 'the installed copy');
});
