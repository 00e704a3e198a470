// Writes config/gateway.schema.json from the zod config schema (`npm run config:schema`).
// With --check it writes nothing and exits 1 when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchemaText } from '../proxy/config/json-schema.js';

const text = configJsonSchemaText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(CONFIG_JSON_SCHEMA_PATH, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (current !== text) {
    process.stderr.write(`${CONFIG_JSON_SCHEMA_PATH} is stale: run npm run config:schema\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(CONFIG_JSON_SCHEMA_PATH, text);
  process.stdout.write(`wrote ${CONFIG_JSON_SCHEMA_PATH} (${text.length} bytes)\n`);
}
