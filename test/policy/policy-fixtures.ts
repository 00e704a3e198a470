// Shared helpers for the policy tests: build real bundles with the real opa, copy the policy
// sources, and make inputs. Not a test file (tap runs only *.test.ts).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { buildPolicyBundle } from '../../scripts/policy-build.mjs';
import type { PolicyInput } from '../../proxy/policy/policy-input.js';
import type { PolicyAction } from '../../proxy/policy/actions.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const POLICIES_DIR = join(REPO_ROOT, 'policies');
export const DEFAULT_BUNDLE = join(POLICIES_DIR, 'build/bundle.tar.gz');

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** The default bundle, built from policies/ when missing or older than a source. */
export async function defaultBundle(): Promise<string> {
  await buildPolicyBundle({ policiesDir: POLICIES_DIR, outFile: DEFAULT_BUNDLE });
  return DEFAULT_BUNDLE;
}

/** A temp dir removed at teardown. */
export function tempDir(t: Teardown, prefix = 'wj-policy-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies the real policy sources (without build output) to `<dir>/policies`. */
export function copyPolicies(dir: string): string {
  const target = join(dir, 'policies');
  cpSync(POLICIES_DIR, target, { recursive: true, filter: (src) => !src.startsWith(join(POLICIES_DIR, 'build')) });
  return target;
}

/** Builds `<policiesDir>` into `<policiesDir>/build/bundle.tar.gz` and returns its path. */
export async function buildInto(policiesDir: string): Promise<string> {
  const outFile = join(policiesDir, 'build/bundle.tar.gz');
  await buildPolicyBundle({ force: true, policiesDir, outFile });
  return outFile;
}

/** Builds a one-file policy (package workjet.authz) in a temp dir; returns the bundle path. */
export async function tinyBundle(t: Teardown, rego: string): Promise<string> {
  const dir = join(tempDir(t), 'policies');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'decision.rego'), `package workjet.authz\n\n${rego}\n`);
  return buildInto(dir);
}

/** A logger that keeps every line as a parsed object. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

/** Resource type each action is asked about (as in policies/fixtures_test.rego). */
export function resourceTypeFor(action: PolicyAction): string {
  const area = action.split('.')[0] ?? '';
  const types: Record<string, string> = {
    model: 'tier', skills: 'skill', marketplace: 'skill', keys: 'key', users: 'user', routing: 'routing', dlp: 'dlp',
    limits: 'limits', usage: 'usage', audit: 'audit', budget: 'budget', provider_keys: 'provider_key', roles: 'user',
  };
  const type = types[area];
  if (!type) throw new Error(`no resource type for ${action}`);
  return type;
}

/** A well-formed input: principal of acme with `role`, resource owned by `resourceTenant`. */
export function matrixInput(role: string, action: PolicyAction, resourceTenant: string): PolicyInput {
  return {
    action,
    principal: { type: 'api_key', id: 'key-1', user: 'alice', role, tenant: 'acme' },
    resource: { type: resourceTypeFor(action), id: 'r-1', tenant: resourceTenant, tags: ['cheap'] },
    tenant: { id: 'acme', plan: 'team' },
    request: { method: 'POST', path: '/v1/chat/completions', ip: '127.0.0.1', time: '2026-11-28T14:05:00Z' },
  };
}

/** A model.invoke input for tenant acme on `plan`. */
export function modelInput(role: string, plan: string, resource: Partial<PolicyInput['resource']>, time: string): PolicyInput {
  return {
    action: 'model.invoke',
    principal: { type: 'api_key', id: 'key-1', user: 'bob', role, tenant: 'acme' },
    resource: { type: 'tier', id: 'fast', tenant: 'acme', ...resource },
    tenant: { id: 'acme', plan },
    request: { method: 'POST', path: '/v1/chat/completions', ip: '127.0.0.1', time },
  };
}
