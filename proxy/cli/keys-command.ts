import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, parseConfig } from '../config/load-config.js';
import { generateApiKey, hashApiKey, looksLikeApiKey } from '../identity/api-keys.js';

/**
 * `npm run keys -- create --tenant acme --user bob [--id key-bob] [--config FILE] [--json]`
 * prints a new key once plus the YAML entry (id, user, sha256) to paste under the tenant's
 * `apiKeys`; `npm run keys -- hash <key|->` prints a key's SHA-256 (`-` reads stdin, which
 * keeps the key out of shell history).
 */
const USAGE = `usage:
  npm run keys -- create --tenant <tenant> --user <user> [--id <key-id>] [--config <file>] [--json]
  npm run keys -- hash <key>      (or: hash -   to read the key from stdin)`;

class UsageError extends Error {}

/** What the command reads and writes; the entry point passes the process's own. */
export interface KeysCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readStdin: () => string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

// Quotes a value unless it is plain-safe inside a YAML flow mapping.
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) ? value : JSON.stringify(value);
}

const FLAG_OF_PATH: Readonly<Record<string, string>> = {
  'tenants[0].id': '--tenant',
  'tenants[0].users[0].id': '--user',
  'tenants[0].apiKeys[0].id': '--id',
  'tenants[0].apiKeys[0].user': '--user',
};

// The names are checked with the config schema itself, so the CLI accepts exactly what a config does.
function checkNames(tenant: string, user: string, id: string, idGiven: boolean): void {
  try {
    parseConfig({ tenants: [{ id: tenant, users: [{ id: user, role: 'member' }], apiKeys: [{ id, user, sha256: hashApiKey(id) }] }] });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const lines = err.issues.map((issue) => `${FLAG_OF_PATH[issue.path] ?? issue.path}: ${issue.message}`);
    // A derived id is only wrong because the user name is; say so once, under --user.
    const relevant = lines.filter((line, i) => lines.indexOf(line) === i && (idGiven || !line.startsWith('--id:')));
    throw new UsageError(relevant.join('\n'));
  }
}

function checkAgainstConfig(io: KeysCommandIo, path: string, tenantId: string, user: string, id: string): void {
  const config = loadConfig({ path, env: io.env });
  const tenant = config.tenants.find((candidate) => candidate.id === tenantId);
  if (tenant === undefined) throw new UsageError(`--tenant: no tenant "${tenantId}" in ${path}`);
  if (!tenant.users.some((candidate) => candidate.id === user)) throw new UsageError(`--user: no user "${user}" in tenant "${tenantId}" (${path})`);
  if (config.tenants.some((candidate) => candidate.apiKeys.some((key) => key.id === id))) throw new UsageError(`--id: key id "${id}" is already used in ${path}`);
}

function create(io: KeysCommandIo, args: string[]): void {
  const { values } = parseArgs({
    args,
    options: { tenant: { type: 'string' }, user: { type: 'string' }, id: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const { tenant, user } = values;
  if (tenant === undefined || user === undefined) throw new UsageError('create needs --tenant and --user');
  const id = values.id ?? `key-${user}-${randomBytes(3).toString('hex')}`;
  checkNames(tenant, user, id, values.id !== undefined);
  if (values.config !== undefined) checkAgainstConfig(io, values.config, tenant, user, id);

  const key = generateApiKey();
  const sha256 = hashApiKey(key);
  if (values.json === true) {
    io.out(JSON.stringify({ tenant, user, id, key, sha256 }) + '\n');
    return;
  }
  const entry = `- { id: ${yamlScalar(id)}, user: ${yamlScalar(user)}, sha256: "${sha256}" }`;
  io.out(
    `New API key for user "${user}" in tenant "${tenant}". It is shown only now and cannot be recovered; store it safely:\n\n` +
      `  ${key}\n\n` +
      `Add this entry under apiKeys of tenant "${tenant}" in your config:\n\n` +
      `  ${entry}\n`,
  );
}

function hash(io: KeysCommandIo, args: string[]): void {
  const [arg, ...rest] = args;
  if (arg === undefined || rest.length > 0) throw new UsageError('hash needs exactly one key (or - for stdin)');
  const key = arg === '-' ? io.readStdin().trim() : arg;
  if (key === '') throw new UsageError('hash: the key is empty');
  if (!looksLikeApiKey(key)) io.err('warning: this does not look like a Workjet key (wj_ + 43 base62 characters)\n');
  io.out(hashApiKey(key) + '\n');
}

/** Runs `keys <command> …`; returns the exit code (0 ok, 1 invalid config, 2 usage). */
export function runKeysCommand(argv: readonly string[], io: KeysCommandIo): number {
  const [command, ...args] = argv;
  try {
    if (command === 'create') create(io, args);
    else if (command === 'hash') hash(io, args);
    else if (command === 'help' || command === '--help' || command === '-h') io.out(USAGE + '\n');
    else throw new UsageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`${err.file ?? 'config'}: invalid configuration\n${err.message}\n`);
      return 1;
    }
    // parseArgs reports unknown or malformed options as TypeErrors with a readable message.
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}
