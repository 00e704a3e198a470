import { loadConfig, resolveConfigPath } from '../config/load-config.js';
import { ConfigError } from '../config/config-error.js';
import { createLogger } from '../observability/logger.js';
import { openTenantStore } from '../store/open-store.js';
import { StoreError } from '../store/store-error.js';

const USAGE = `usage: npm run db:migrate [-- --config FILE]
       npm run db:rotate-master-key [-- --config FILE]
  migrate              apply pending store migrations (the gateway also does at start)
  rotate-master-key    re-seal every stored provider key under WORKJET_MASTER_KEY, opening
                       old ones with WORKJET_MASTER_KEY_PREVIOUS
`;

/** `npm run db:migrate` / `npm run db:rotate-master-key`: store maintenance for the operator. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'migrate' && command !== 'rotate-master-key') {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig({ path: resolveConfigPath(rest, process.env), env: process.env });
  const store = await openTenantStore({ config, logger: createLogger({ level: 'warn' }), env: process.env, applyConfig: false });
  try {
    if (command === 'migrate') {
      process.stdout.write(`store (${store.kind}) is at the latest schema\n`);
      return 0;
    }
    const counts = await store.resealProviderKeys();
    process.stdout.write(`provider keys re-sealed: ${counts.resealed}, already under the current key: ${counts.current}, unreadable: ${counts.unreadable}\n`);
    if (counts.unreadable > 0) process.stderr.write('some provider keys open with neither WORKJET_MASTER_KEY nor WORKJET_MASTER_KEY_PREVIOUS; set the key they were sealed with as WORKJET_MASTER_KEY_PREVIOUS and run again\n');
    return counts.unreadable > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof ConfigError || err instanceof StoreError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`workjet db: ${message}\n`);
    process.exitCode = 1;
  },
);
