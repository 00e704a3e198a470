#!/usr/bin/env node
// `npm run keys|tenants|db:*|config:check|audit:verify`: runs a CLI from the compiled JavaScript
// (dist/proxy/cli/<name>.js) where there is no TypeScript source — the container image, which
// has no tsx — and from the TypeScript source with tsx in a checkout, so it is never stale.
//   node scripts/cli.mjs <keys|check-config|audit-verify> [args…]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const CLIS = new Set(['keys', 'tenants', 'db', 'check-config', 'audit-verify']);
if (!name || !CLIS.has(name)) {
  process.stderr.write(`usage: node scripts/cli.mjs <${[...CLIS].join('|')}> [args…]\n`);
  process.exit(2);
}
const source = join(root, 'proxy/cli', `${name}.ts`);
const compiled = join(root, 'dist/proxy/cli', `${name}.js`);
if (existsSync(source)) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', source, ...args], { stdio: 'inherit', cwd: process.cwd() });
  process.exit(result.status ?? 1);
}
if (!existsSync(compiled)) {
  process.stderr.write(`workjet: neither ${source} nor ${compiled} exists (run \`npm run build\`)\n`);
  process.exit(1);
}
process.argv = [process.argv[0] ?? 'node', compiled, ...args];
await import(pathToFileURL(compiled).href);
