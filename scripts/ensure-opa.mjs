#!/usr/bin/env node
// Finds the pinned `opa` CLI, or installs it once into `.tools/bin` with `go install`.
// Order: $OPA_BIN, `opa` on PATH, `.tools/bin/opa`; each only counts when `opa version`
// reports the pinned version, so a stale binary never builds the bundle. CI caches `.tools/`,
// which makes the (minutes-long) `go install` a one-time cost.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const OPA_VERSION = '1.22.3';
export const OPA_MODULE = 'github.com/open-policy-agent/opa';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The version `bin version` reports, or undefined when it does not run. */
export function opaVersionOf(bin) {
  const result = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0 || typeof result.stdout !== 'string') return undefined;
  const line = result.stdout.split('\n').find((l) => l.startsWith('Version:'));
  return line?.slice('Version:'.length).trim();
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function installHelp(reason) {
  return [
    `opa v${OPA_VERSION} is required to build the policy bundle, but ${reason}.`,
    'Any one of these works:',
    `  - install Go (https://go.dev/dl/) and rerun; this runs: GOBIN=${join(repoRoot, '.tools/bin')} go install ${OPA_MODULE}@v${OPA_VERSION}`,
    `  - download the binary: curl -L -o .tools/bin/opa https://openpolicyagent.org/downloads/v${OPA_VERSION}/opa_linux_amd64_static && chmod +x .tools/bin/opa`,
    `  - a package manager (e.g. brew install opa), if it provides v${OPA_VERSION}`,
    `  - set OPA_BIN=/path/to/opa (v${OPA_VERSION})`,
    `  - build with Docker: docker run --rm -v "$PWD:/src" -w /src openpolicyagent/opa:${OPA_VERSION} build -t wasm -e workjet/authz/decision policies/`,
  ].join('\n');
}

/**
 * Returns the path of an `opa` binary at the pinned version, installing it into
 * `<repo>/.tools/bin` with `go install` when none is found. Throws with the alternatives when
 * neither a matching opa nor Go is available.
 */
export function ensureOpa({ root = repoRoot, log = (line) => process.stderr.write(line + '\n') } = {}) {
  const seen = [];
  const candidates = [process.env.OPA_BIN, onPath('opa'), join(root, '.tools/bin/opa')].filter(Boolean);
  for (const bin of candidates) {
    if (!isExecutable(bin)) continue;
    const version = opaVersionOf(bin);
    if (version === OPA_VERSION) return bin;
    seen.push(`${bin} is ${version ?? 'not runnable'}`);
  }
  if (seen.length > 0) log(`[opa] ignoring ${seen.join('; ')} (need v${OPA_VERSION})`);

  const go = onPath('go');
  if (!go) throw new Error(installHelp('it is not on PATH or in .tools/bin, and Go is not installed'));
  const gobin = join(root, '.tools/bin');
  mkdirSync(gobin, { recursive: true });
  log(`[opa] installing ${OPA_MODULE}@v${OPA_VERSION} into ${gobin} with go install (the first build takes a few minutes)…`);
  const started = Date.now();
  const result = spawnSync(go, ['install', '-v', `${OPA_MODULE}@v${OPA_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: gobin },
  });
  if (result.status !== 0) throw new Error(installHelp(`go install failed (exit ${result.status ?? result.signal})`));
  const bin = join(gobin, 'opa');
  const version = opaVersionOf(bin);
  if (version !== OPA_VERSION) throw new Error(installHelp(`go install produced ${bin} reporting version ${version ?? 'none'}`));
  log(`[opa] installed opa v${OPA_VERSION} in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  return bin;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write(ensureOpa() + '\n');
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
