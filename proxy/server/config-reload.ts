import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import type { Env } from '../config/interpolate.js';
import type { GatewayConfig } from '../config/schema.js';

/**
 * Config reload without a restart (`SIGHUP`, or `--watch-config`): re-read the YAML, validate
 * it completely, and only then hand it to the gateway, which swaps the tenants atomically. An
 * invalid file changes nothing and every problem is logged with its path. Tenants (keys, users,
 * providers, tiers, DLP, limits, budgets, policy mode) and `logging.level` apply live; the
 * sections below are read once at start and only take effect after a restart.
 */

/** Top-level sections that a reload applies. Everything else needs a restart. */
const LIVE_SECTIONS = new Set(['tenants', 'dedicatedTenant', 'logging']);

/** The top-level sections that differ between two configs and are not applied live (e.g. `server`, `redis`). */
export function restartOnlyChanges(current: GatewayConfig, next: GatewayConfig): string[] {
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  return [...keys].filter((key) => !LIVE_SECTIONS.has(key) && JSON.stringify(current[key as keyof GatewayConfig]) !== JSON.stringify(next[key as keyof GatewayConfig])).sort();
}

/** What the reloader needs from the gateway. */
export interface Reloadable {
  reload(config: GatewayConfig): Promise<{ readonly restartRequired: readonly string[] }>;
}

export type ReloadOutcome = { readonly ok: true; readonly restartRequired: readonly string[] } | { readonly ok: false; readonly issues: readonly { path: string; message: string }[] };

/** Loads `path` and applies it to `gateway`; logs the outcome (each validation error on its own line, with its path). Never throws. */
export async function reloadConfigFile(options: { path: string; env: Env; gateway: Reloadable; logger: Logger; trigger: string }): Promise<ReloadOutcome> {
  const { path, logger, trigger } = options;
  let config: GatewayConfig;
  try {
    config = loadConfig({ path, env: options.env });
  } catch (err) {
    const issues = err instanceof ConfigError ? err.issues : [{ path, message: err instanceof Error ? err.message : String(err) }];
    for (const issue of issues) logger.error({ file: path, path: issue.path, trigger }, `config reload rejected: ${issue.path}: ${issue.message}`);
    logger.error({ file: path, errors: issues.length, trigger }, 'config reload rejected: the running configuration is unchanged');
    return { ok: false, issues };
  }
  try {
    const { restartRequired } = await options.gateway.reload(config);
    if (restartRequired.length > 0) logger.warn({ file: path, sections: restartRequired, trigger }, `config reloaded; changes to ${restartRequired.join(', ')} take effect after a restart`);
    else logger.info({ file: path, trigger }, 'config reloaded');
    return { ok: true, restartRequired };
  } catch (err) {
    // A tenant that passed validation but failed to compile (should not happen): keep the old one.
    const message = err instanceof Error ? err.message : String(err);
    logger.error({ file: path, trigger }, `config reload rejected: ${message}; the running configuration is unchanged`);
    return { ok: false, issues: [{ path, message }] };
  }
}

/**
 * Opt-in file watch: calls `onChange` when the file's content changes (debounced). Watches the
 * directory, so editors that save by rename and Kubernetes ConfigMap symlink swaps are seen.
 * Returns `stop()`.
 */
export function watchConfigFile(path: string, onChange: () => void, options: { debounceMs?: number } = {}): () => void {
  const file = resolve(path);
  const read = (): string | undefined => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  let last = read();
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file) && !name.startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = read();
      if (now === undefined || now === last) return;
      last = now;
      onChange();
    }, options.debounceMs ?? 200);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
