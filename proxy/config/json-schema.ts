import { z } from 'zod';
import { gatewayConfigSchema } from './schema.js';

/** Where the published JSON Schema lives, relative to the project root. */
export const CONFIG_JSON_SCHEMA_PATH = 'config/gateway.schema.json';

/**
 * The JSON Schema editors use to autocomplete and check `config/*.yaml`, generated from the
 * zod schema. It describes the input side, so fields with defaults are optional; draft-07 is
 * the dialect every YAML language server understands.
 */
export function configJsonSchemaText(): string {
  const generated = z.toJSONSchema(gatewayConfigSchema, { io: 'input', target: 'draft-7' });
  const schema = {
    ...generated,
    title: 'Workjet Gateway configuration',
    description: 'Generated from proxy/config/schema.ts by `npm run config:schema`; do not edit by hand.',
  };
  return JSON.stringify(schema, null, 2) + '\n';
}
