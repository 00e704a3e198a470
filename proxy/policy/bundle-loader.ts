import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { readTar } from './tar-reader.js';
import { createPolicyEvaluator, type PolicyEvaluator } from './wasm-evaluator.js';

const gunzipAsync = promisify(gunzip);

export const DECISION_ENTRYPOINT = 'workjet/authz/decision';
/** A bundle is a few hundred KB; the cap stops a decompression bomb from exhausting memory. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
/** WASM pages the module starts with (64 KiB each); it grows up to the configured cap. */
const INITIAL_PAGES = 8;

/** A compiled, data-loaded policy ready to evaluate. */
export interface LoadedBundle {
  readonly policy: LoadedPolicy;
  /** Numeric id of `workjet/authz/decision`, so evaluation skips the name lookup. */
  readonly entrypoint: number;
  /** Evaluates `workjet/authz/decision` with an input serialized to JSON; returns the result set. */
  readonly evaluate: PolicyEvaluator;
  /** SHA-256 hex of the bundle file: identifies what is loaded. */
  readonly revision: string;
  readonly loadedAt: Date;
}

/** A well-formed input no policy should fail on, evaluated once before a bundle goes live. */
const CANARY_INPUT = {
  action: 'model.list',
  principal: { type: 'api_key', id: 'canary', user: 'canary', role: 'member', tenant: 'canary' },
  resource: { type: 'models', id: 'canary', tenant: 'canary' },
  tenant: { id: 'canary', plan: 'team' },
  request: { method: 'GET', path: '/v1/models', ip: '127.0.0.1', time: '2026-01-01T12:00:00Z' },
};

function entrypointId(policy: LoadedPolicy): number {
  const entrypoints: unknown = policy.entrypoints;
  const id = typeof entrypoints === 'object' && entrypoints !== null ? (entrypoints as Record<string, unknown>)[DECISION_ENTRYPOINT] : undefined;
  if (typeof id !== 'number') throw new Error(`the bundle has no entrypoint ${DECISION_ENTRYPOINT} (build with -e ${DECISION_ENTRYPOINT})`);
  return id;
}

/** Turns what opa-wasm throws (often a bare string) into an Error. */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') return new Error((err as { message: string }).message);
  return new Error(String(err));
}

/**
 * Compiles a bundle (gzip'd tar holding `/policy.wasm` and `/data.json`) into a live policy:
 * WASM memory capped at `maxMemoryPages`, data loaded, and one canary evaluation that must not
 * throw. Throws with the reason when any step fails.
 */
export async function loadBundleBytes(bytes: Buffer, options: { maxMemoryPages: number }): Promise<LoadedBundle> {
  const revision = createHash('sha256').update(bytes).digest('hex');
  let tarBytes: Buffer;
  try {
    tarBytes = await gunzipAsync(bytes, { maxOutputLength: MAX_BUNDLE_BYTES });
  } catch (err) {
    throw new Error(`not a gzip'd bundle: ${asError(err).message}`);
  }
  const files = readTar(tarBytes);
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new Error('the bundle has no /policy.wasm (build with `opa build -t wasm`)');
  const dataBytes = files.get('data.json');
  let data: unknown = {};
  if (dataBytes) {
    try {
      data = JSON.parse(dataBytes.toString('utf8'));
    } catch (err) {
      throw new Error(`the bundle's /data.json is not JSON: ${asError(err).message}`);
    }
  }
  const maximum = options.maxMemoryPages;
  try {
    const policy = await loadPolicy(wasm, { initial: Math.min(INITIAL_PAGES, maximum), maximum });
    const entrypoint = entrypointId(policy);
    policy.setData(data as object);
    const evaluate = createPolicyEvaluator(policy, entrypoint);
    evaluate(JSON.stringify(CANARY_INPUT));
    return { policy, entrypoint, evaluate, revision, loadedAt: new Date() };
  } catch (err) {
    throw new Error(`the policy failed to load: ${asError(err).message}`);
  }
}

/** Reads and loads a bundle file; see `loadBundleBytes`. */
export async function loadBundleFile(path: string, options: { maxMemoryPages: number }): Promise<LoadedBundle> {
  return loadBundleBytes(await readFile(path), options);
}
