import { z } from 'zod';
import type { AdminEndpoint } from './admin-endpoint.js';
import { adminSchemas } from './admin-schemas.js';

/** An OpenAPI operation not served by the admin router (the operator door) but documented with it. */
export interface DocumentedRoute {
  readonly method: AdminEndpoint['method'];
  readonly path: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly answer?: z.ZodType;
  readonly answerStatus: number;
  readonly security: 'tenant' | 'operator';
  readonly action?: string;
  readonly queryParams?: readonly string[];
}

type JsonSchema = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';

/**
 * The OpenAPI 3.1 document of the admin API, generated from the very Zod schemas that validate
 * the bodies (zod 4's JSON Schema output is 2020-12, which OpenAPI 3.1 uses as is). Named
 * schemas become `components.schemas` and are referenced; anonymous ones are inlined.
 */
export function buildOpenApi(endpoints: readonly AdminEndpoint[], extra: readonly DocumentedRoute[] = []): Record<string, unknown> {
  const components = z.toJSONSchema(adminSchemas, { uri: (id) => REF_PREFIX + id, io: 'input', unrepresentable: 'any' }).schemas;
  for (const schema of Object.values(components)) {
    delete (schema as JsonSchema)['$schema'];
    delete (schema as JsonSchema)['$id'];
  }
  const schemaOf = (schema: z.ZodType): JsonSchema => {
    const id = adminSchemas.get(schema)?.id;
    if (id !== undefined) return { $ref: REF_PREFIX + id };
    const inline = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', metadata: adminSchemas }) as JsonSchema;
    delete inline['$schema'];
    delete inline['$defs'];
    // Named sub-schemas are emitted as local $defs by a standalone call; point them at components.
    return JSON.parse(JSON.stringify(inline).replaceAll('"#/$defs/', `"${REF_PREFIX}`)) as JsonSchema;
  };
  const routes: DocumentedRoute[] = [...endpoints.map((e) => ({ ...e, security: 'tenant' as const })), ...extra];
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const openPath = route.path.replaceAll(/:([A-Za-z]+)/g, '{$1}');
    const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = (route.queryParams ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {
      [String(route.answerStatus)]: route.answer ? { description: 'OK', content: { 'application/json': { schema: schemaOf(route.answer) } } } : { description: 'Done' },
    };
    for (const status of route.security === 'operator' ? ['400', '401', '404', '409'] : ['400', '401', '403', '404', '409']) {
      responses[status] = { description: errorDescriptions[status], content: { 'application/json': { schema: { $ref: REF_PREFIX + 'Error' } } } };
    }
    (paths[openPath] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(route.action ? { 'x-workjet-action': route.action } : {}),
      security: [{ [route.security === 'operator' ? 'operatorToken' : 'apiKey']: [] }],
      parameters: [...params, ...query],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Workjet Gateway admin API', version: '1', description: "Tenant self-service under /admin/v1 (every call authorized by the Rego policy, scoped to the caller's tenant, audited) and the operator door under /operator/v1." },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A `wj_…` API key or a Workjet session JWT of the tenant.' },
        operatorToken: { type: 'http', scheme: 'bearer', description: 'The `operator.token` of the gateway configuration.' },
      },
    },
  };
}

const errorDescriptions: Record<string, string> = {
  '400': 'invalid_request: the body failed validation (`param` names the field)',
  '401': 'invalid_api_key: missing, unknown, revoked or expired credential',
  '403': 'policy_denied: the policy denied the action',
  "404": "not_found: no such id in the caller's tenant",
  '409': 'managed_by_config, in_use or conflict',
};
