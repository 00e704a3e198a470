import { createHash } from 'node:crypto';
import { existsSync, watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { newDecisionId } from './decision-id.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { PolicyDecision } from '../core/vocabulary.js';
import { asError, loadBundleBytes, type LoadedBundle } from './bundle-loader.js';
import type { PolicyInput } from './policy-input.js';
import { DecisionCache, type Evaluated } from './decision-cache.js';

/** Anything that can decide a policy input; the engine, or a stand-in with the same contract. */
export interface PolicyDecider {
  /** Evaluates synchronously; throws PolicyError (500 policy_error) when there is no valid decision. */
  decide(input: PolicyInput): PolicyDecision;
}

/** Response header carrying the id of the request's policy decision. */
export const DECISION_HEADER = 'x-workjet-decision-id';

/** 500 `policy_error`: the policy threw or returned no well-formed decision. The request is never allowed. */
export class PolicyError extends GatewayError {
  readonly decisionId: string;
  constructor(decisionId: string, cause: Error) {
    super('policy_error', `The policy could not be evaluated (decision ${decisionId}).`, { cause, headers: { [DECISION_HEADER]: decisionId } });
    this.decisionId = decisionId;
  }
}

/** The bundle cannot be used at startup (missing or failing to load): the gateway must not start. */
export class PolicyBundleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyBundleError';
  }
}

export type ReloadResult = 'reloaded' | 'unchanged' | 'failed';

export interface ReloadEvent {
  readonly result: ReloadResult;
  /** Revision serving after the attempt. */
  readonly revision: string;
  readonly error?: Error;
}

export interface PolicyEngineOptions {
  /** Path of the bundle (`policy.bundle` in the config), resolved against the cwd. */
  readonly bundlePath: string;
  /** WASM memory cap in 64 KiB pages (`policy.maxMemoryPages`). */
  readonly maxMemoryPages?: number;
  readonly logger: Logger;
  /** Called after every reload attempt that changed something or failed (for metrics). */
  readonly onReload?: (event: ReloadEvent) => void;
}

/** Counters a metrics exporter reads (plain numbers, so the engine needs no metrics library). */
export interface PolicyEngineStats {
  decisions: number;
  /** Decisions the WASM evaluated; the rest repeated an input of the same second (see DecisionCache). */
  evaluations: number;
  evaluationErrors: number;
  reloads: number;
  reloadFailures: number;
}

/** The one well-formed shape: a single result `{allow: boolean, reasons: string[]}`. */
function readDecision(resultSet: unknown): Evaluated | undefined {
  if (!Array.isArray(resultSet) || resultSet.length !== 1) return undefined;
  const value: unknown = (resultSet[0] as { result?: unknown } | null)?.result;
  if (typeof value !== 'object' || value === null) return undefined;
  const { allow, reasons } = value as { allow?: unknown; reasons?: unknown };
  if (typeof allow !== 'boolean' || !Array.isArray(reasons) || !reasons.every((r) => typeof r === 'string')) return undefined;
  // Frozen: a remembered decision is handed to every request with the same input.
  return { allow, reasons: Object.freeze(reasons as string[]) };
}

/**
 * The policy engine: the compiled Rego bundle (WASM), evaluated synchronously per request.
 * Fails closed: a missing bundle at start is a startup error, an evaluation that throws or yields
 * no decision throws PolicyError. Reloads swap the live bundle atomically (one reference), and a
 * bundle that fails to load leaves the old one serving.
 */
export class PolicyEngine implements PolicyDecider {
  readonly stats: PolicyEngineStats = { decisions: 0, evaluations: 0, evaluationErrors: 0, reloads: 0, reloadFailures: 0 };
  readonly bundlePath: string;
  readonly #maxMemoryPages: number;
  readonly #logger: Logger;
  readonly #onReload: ((event: ReloadEvent) => void) | undefined;
  #bundle: LoadedBundle;
  /** Decisions of the bundle now serving; emptied where a reload swaps the bundle. */
  readonly #decisions = new DecisionCache();
  #reloading: Promise<unknown> = Promise.resolve();
  #watcher: FSWatcher | undefined;
  #poll: (() => void) | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #closed = false;
  /** Revision of the last bundle that failed to load: the same bytes are not retried on every file event. */
  #failedRevision: string | undefined;

  private constructor(bundle: LoadedBundle, bundlePath: string, options: PolicyEngineOptions) {
    this.#bundle = bundle;
    this.bundlePath = bundlePath;
    this.#maxMemoryPages = options.maxMemoryPages ?? 1024;
    this.#logger = options.logger;
    this.#onReload = options.onReload;
  }

  /** Loads the bundle or throws PolicyBundleError naming the path and how to build it. */
  static async load(options: PolicyEngineOptions): Promise<PolicyEngine> {
    const path = resolve(options.bundlePath);
    if (!existsSync(path)) {
      throw new PolicyBundleError(`policy bundle not found at ${path}: build it with \`npm run policy:build\` (or point policy.bundle in the config at a built bundle)`);
    }
    let bundle: LoadedBundle;
    try {
      bundle = await loadBundleBytes(await readFile(path), { maxMemoryPages: options.maxMemoryPages ?? 1024 });
    } catch (err) {
      throw new PolicyBundleError(`policy bundle ${path} cannot be loaded: ${asError(err).message}; rebuild it with \`npm run policy:build\``, { cause: err });
    }
    options.logger.info({ bundle: path, revision: bundle.revision }, 'policy bundle loaded');
    return new PolicyEngine(bundle, path, options);
  }

  /** SHA-256 of the bundle file now serving. */
  get revision(): string {
    return this.#bundle.revision;
  }

  get loadedAt(): Date {
    return this.#bundle.loadedAt;
  }

  /** Evaluates `workjet/authz/decision`; every call gets a fresh UUIDv7 decision id. */
  decide(input: PolicyInput): PolicyDecision {
    const id = newDecisionId();
    const bundle = this.#bundle;
    const inputText = JSON.stringify(input);
    const second = input.request.time;
    let decision = this.#decisions.get(second, inputText);
    if (!decision) {
      let resultSet: unknown;
      try {
        resultSet = bundle.evaluate(inputText);
      } catch (err) {
        throw this.#evaluationError(id, bundle, new Error(`evaluation failed: ${asError(err).message}`));
      }
      decision = readDecision(resultSet);
      if (!decision) throw this.#evaluationError(id, bundle, new Error('the policy returned no well-formed decision ({"allow": bool, "reasons": [string]})'));
      this.stats.evaluations++;
      this.#decisions.set(second, input.tenant.id, inputText, decision);
    }
    this.stats.decisions++;
    return { id, allow: decision.allow, reasons: decision.reasons, wouldDeny: false };
  }

  #evaluationError(id: string, bundle: LoadedBundle, cause: Error): PolicyError {
    this.stats.evaluationErrors++;
    this.#logger.error({ decisionId: id, revision: bundle.revision, err: cause }, 'policy evaluation failed; denying');
    return new PolicyError(id, cause);
  }

  /** Re-reads the bundle file and swaps it in if it changed and loads; concurrent calls run one after another. */
  reload(): Promise<ReloadEvent> {
    const attempt = this.#reloading.then(() => this.#reloadNow());
    this.#reloading = attempt.catch(() => undefined);
    return attempt;
  }

  async #reloadNow(): Promise<ReloadEvent> {
    let event: ReloadEvent;
    let revision: string | undefined;
    try {
      const bytes = await readFile(this.bundlePath);
      revision = createHash('sha256').update(bytes).digest('hex');
      if (revision === this.#bundle.revision) return { result: 'unchanged', revision };
      if (revision === this.#failedRevision) return { result: 'failed', revision: this.#bundle.revision, error: new Error('this bundle already failed to load') };
      const next = await loadBundleBytes(bytes, { maxMemoryPages: this.#maxMemoryPages });
      if (this.#closed) return { result: 'unchanged', revision: this.#bundle.revision };
      const previous = this.#bundle.revision;
      this.#bundle = next;
      this.#decisions.clear();
      this.stats.reloads++;
      event = { result: 'reloaded', revision: next.revision };
      this.#logger.info({ bundle: this.bundlePath, revision: next.revision, previous }, 'policy bundle reloaded');
    } catch (err) {
      const error = asError(err);
      this.#failedRevision = revision;
      this.stats.reloadFailures++;
      event = { result: 'failed', revision: this.#bundle.revision, error };
      this.#logger.error({ bundle: this.bundlePath, revision: this.#bundle.revision, err: error }, 'policy bundle reload failed; keeping the loaded policy');
    }
    this.#onReload?.(event);
    return event;
  }

  /**
   * Reloads when the bundle file changes: fs.watch on its directory (atomic renames, symlink
   * swaps as in Kubernetes ConfigMaps) plus a slow stat poll as a backstop, debounced.
   */
  watch(options: { debounceMs?: number; pollMs?: number } = {}): void {
    if (this.#watcher || this.#closed) return;
    const debounceMs = options.debounceMs ?? 100;
    const base = basename(this.bundlePath);
    const schedule = (): void => {
      if (this.#closed) return;
      clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => void this.reload(), debounceMs);
      this.#debounce.unref();
    };
    this.#watcher = watch(dirname(this.bundlePath), { persistent: false }, (_event, filename) => {
      // Skip the build's temp files (`bundle.tar.gz.<pid>.<rand>.tmp`); `..data` is a ConfigMap swap.
      if (!filename || filename === base || filename.startsWith('..')) schedule();
    });
    this.#watcher.on('error', (err) => this.#logger.warn({ err }, 'policy bundle watcher failed; relying on polling'));
    watchFile(this.bundlePath, { interval: options.pollMs ?? 2000, persistent: false }, schedule);
    this.#poll = schedule;
  }

  /** Stops watching; the loaded policy keeps answering. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#debounce);
    this.#watcher?.close();
    this.#watcher = undefined;
    if (this.#poll) unwatchFile(this.bundlePath, this.#poll);
    this.#poll = undefined;
  }
}
