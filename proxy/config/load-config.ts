import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import type { ConfigIssue } from './config-path.js';
import { deepFreeze } from './deep-freeze.js';
import { interpolateDocument, type Env } from './interpolate.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { validateReferences } from './validate-references.js';
import { fromZodIssues } from './zod-issues.js';

/** The config file used when neither `--config` nor `WORKJET_CONFIG` names one. */
export const DEFAULT_CONFIG_PATH = 'config/gateway.yaml';
const MAX_YAML_ERRORS = 5;

/**
 * Picks the config file: `--config FILE` or `--config=FILE` in `argv`, else `WORKJET_CONFIG`,
 * else `config/gateway.yaml`. Throws when `--config` has no value.
 */
export function resolveConfigPath(argv: readonly string[], env: Env): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--config') {
      const value = argv[i + 1];
      if (value === undefined || value === '' || value.startsWith('--')) throw new ConfigError([{ path: '--config', message: 'needs a file path' }]);
      return value;
    }
    if (arg !== undefined && arg.startsWith('--config=')) {
      const value = arg.slice('--config='.length);
      if (value === '') throw new ConfigError([{ path: '--config', message: 'needs a file path' }]);
      return value;
    }
  }
  const fromEnv = env.WORKJET_CONFIG;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_CONFIG_PATH;
}

function isUnder(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent + '.') || path.startsWith(parent + '[');
}

/**
 * Validates an already-parsed config value: structure (zod, applying defaults), then references
 * (on the same input, so both kinds are reported together). Returns the deep-frozen config or
 * throws ConfigError with every issue found. `priorIssues` (e.g. unset variables) come first
 * and hide later issues at or under the same path, which would only restate them.
 */
export function parseConfig(raw: unknown, options: { file?: string; priorIssues?: readonly ConfigIssue[] } = {}): GatewayConfig {
  const issues: ConfigIssue[] = [...(options.priorIssues ?? [])];
  const addFresh = (found: readonly ConfigIssue[]): void => {
    const earlier = [...issues];
    for (const issue of found) if (!earlier.some((prior) => isUnder(issue.path, prior.path))) issues.push(issue);
  };
  if (raw === null || raw === undefined) throw new ConfigError([...issues, { path: '(root)', message: 'the config is empty' }], options.file);
  const parsed = gatewayConfigSchema.safeParse(raw);
  if (!parsed.success) addFresh(fromZodIssues(parsed.error.issues));
  addFresh(validateReferences(raw));
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues, options.file);
  return deepFreeze(parsed.data);
}

/** Parses YAML text, interpolates `${NAME}` from `env`, and validates it (see parseConfig). */
export function parseConfigText(text: string, env: Env, file?: string): GatewayConfig {
  const source = file ?? '(config)';
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // One real mistake often cascades into many parser errors; the first few locate it.
    const issues = doc.errors.slice(0, MAX_YAML_ERRORS).map((error) => {
      const pos = error.linePos?.[0];
      const where = pos === undefined ? source : `${source}:${pos.line}:${pos.col}`;
      // yaml appends " at line L, column C:" and a source excerpt; the position is in the path already.
      const firstLine = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return { path: where, message: `YAML syntax error: ${firstLine}` };
    });
    throw new ConfigError(issues, file);
  }
  const interpolationIssues = interpolateDocument(doc, env);
  return parseConfig(doc.toJS({ maxAliasCount: 1000 }), { file, priorIssues: interpolationIssues });
}

/**
 * Reads, interpolates and validates the config file. Returns the deep-frozen config or throws
 * ConfigError listing every problem (`tenants[1].tiers.fast.provider: unknown provider "x"`).
 */
export function loadConfig(options: { path: string; env: Env }): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(options.path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new ConfigError([{ path: options.path, message: `cannot read the config file (${reason})` }], options.path);
  }
  return parseConfigText(text, options.env, options.path);
}
