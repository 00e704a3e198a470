#!/usr/bin/env node
// Builds the policy bundle: `opa build -t wasm -e workjet/authz/decision` over policies/,
// restricted to the builtins the JavaScript WASM SDK can run, so a policy that calls one it
// cannot (time.now_ns, io.jwt.*, …) fails here and never at request time.
//   node scripts/policy-build.mjs [--force] [--policies DIR] [--out FILE]
// Without --force it only builds when the bundle is missing, older than a source file, or built
// from another set of files (one deleted, renamed or added).
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureOpa, OPA_VERSION } from './ensure-opa.mjs';

export const ENTRYPOINT = 'workjet/authz/decision';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// Bumped when the way capabilities are derived changes, to invalidate cached files.
const CAPABILITIES_RECIPE = 2;

const log = (line) => process.stderr.write(`[policy-build] ${line}\n`);

/** Source files whose change makes the bundle stale: non-test .rego and data.json, recursively, minus build/. */
export function policySources(policiesDir) {
  const out = [];
  for (const entry of readdirSync(policiesDir, { withFileTypes: true })) {
    const path = join(policiesDir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'build' && !entry.name.startsWith('.')) out.push(...policySources(path));
    } else if ((entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) || entry.name === 'data.json') {
      out.push(path);
    }
  }
  return out;
}

/** The list of sources a bundle was built from, kept beside it: a deleted or renamed file changes it. */
function sourceListFile(outFile) {
  return `${outFile}.sources`;
}

function sourceList(policiesDir, sources) {
  return sources.map((file) => relative(policiesDir, file)).sort().join('\n') + '\n';
}

function isStale(outFile, policiesDir, sources) {
  if (!existsSync(outFile)) return true;
  // Times alone miss a deleted or renamed source (what is left may all be older than the bundle).
  const listFile = sourceListFile(outFile);
  if (!existsSync(listFile) || readFileSync(listFile, 'utf8') !== sourceList(policiesDir, sources)) return true;
  const built = statSync(outFile).mtimeMs;
  return sources.some((file) => statSync(file).mtimeMs > built);
}

function run(bin, args, cwd) {
  const result = spawnSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const detail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim() || String(result.error ?? result.signal);
    throw new Error(`${basename(bin)} ${args[0]} failed:\n${detail}`);
  }
  return result.stdout;
}

function writeAtomically(file, content) {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

function sdkDir() {
  // The package's export map hides its files; its entry point sits at <pkg>/src/index.cjs.
  return join(dirname(require.resolve('@open-policy-agent/opa-wasm')), '..');
}

/**
 * Names of the builtins a compiled policy hands to JavaScript (the ones the WASM module does not
 * implement itself), read from the module's `builtins` export.
 */
async function jsDispatchedBuiltins(wasmBytes) {
  const { loadPolicy } = await import('@open-policy-agent/opa-wasm');
  const policy = await loadPolicy(wasmBytes);
  const exports = policy.wasmInstance.exports;
  const addr = exports.opa_json_dump(exports.builtins());
  const bytes = new Uint8Array(policy.mem.buffer);
  let end = addr;
  while (bytes[end] !== 0) end++;
  return Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(addr, end))));
}

/**
 * Writes the capabilities file the bundle is built with: the SDK's `capabilities.json`
 * (builtins and WASM ABI versions) plus the Rego language features of the pinned opa (the SDK's
 * file predates Rego v1, and opa refuses to parse v1 without the `rego_v1` feature). Builtins the
 * SDK lists but cannot run (compiled as calls into JavaScript that the SDK does not implement,
 * e.g. time.diff, rand.intn) are found by compiling a probe policy, and removed.
 */
export async function ensureCapabilities({ opa, file }) {
  const sdkCapsText = readFileSync(join(sdkDir(), 'capabilities.json'), 'utf8');
  const key = createHash('sha256').update(`${CAPABILITIES_RECIPE}\n${OPA_VERSION}\n${sdkCapsText}`).digest('hex');
  const keyFile = `${file}.key`;
  if (existsSync(file) && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === key) return file;

  const sdkCaps = JSON.parse(sdkCapsText);
  const current = JSON.parse(run(opa, ['capabilities', '--current']));
  const merged = {
    builtins: sdkCaps.builtins,
    wasm_abi_versions: sdkCaps.wasm_abi_versions,
    features: current.features ?? [],
    future_keywords: current.future_keywords ?? [],
  };

  const probeDir = mkdtempSync(join(tmpdir(), 'wj-caps-probe-'));
  try {
    const deprecated = new Set(['all', 'any', 're_match', 'set_diff']);
    const callable = merged.builtins.filter((b) => !b.infix && !b.name.startsWith('internal.') && !deprecated.has(b.name));
    const rules = callable.map((b, i) => `r${i} := ${b.name}(${(b.decl.args ?? []).map((_, k) => `input.a${k}`).join(', ')})`);
    writeFileSync(join(probeDir, 'probe.rego'), `package probe\n\n${rules.join('\n')}\n`);
    const capsTmp = join(probeDir, 'caps.json');
    writeFileSync(capsTmp, JSON.stringify(merged));
    run(opa, ['build', '-t', 'wasm', '-e', 'probe', '--capabilities', capsTmp, 'probe.rego', '-o', 'probe.tar.gz'], probeDir);
    run('tar', ['-xzf', 'probe.tar.gz'], probeDir);
    const implemented = require(join(sdkDir(), 'src/builtins/index.js'));
    const dispatched = await jsDispatchedBuiltins(readFileSync(join(probeDir, 'policy.wasm')));
    const unsupported = new Set(dispatched.filter((name) => !Object.hasOwn(implemented, name)));
    merged.builtins = merged.builtins.filter((b) => !unsupported.has(b.name));
    if (unsupported.size > 0) log(`capabilities: dropped builtins the SDK cannot run: ${[...unsupported].sort().join(', ')}`);
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }

  mkdirSync(dirname(file), { recursive: true });
  writeAtomically(file, JSON.stringify(merged, null, 2) + '\n');
  writeAtomically(keyFile, key + '\n');
  return file;
}

/**
 * Builds `outFile` from `policiesDir` when it is missing or older than a source (always with
 * `force`). The bundle is written to a temp file and renamed, so a watcher never reads half of it.
 * Returns whether it built.
 */
export async function buildPolicyBundle({
  force = false,
  policiesDir = join(repoRoot, 'policies'),
  outFile,
  capabilitiesFile = join(repoRoot, 'policies/build/capabilities.json'),
} = {}) {
  const dir = resolve(policiesDir);
  const out = resolve(outFile ?? join(dir, 'build/bundle.tar.gz'));
  const sources = policySources(dir);
  if (sources.length === 0) throw new Error(`no .rego or data.json files in ${dir}`);
  if (!force && !isStale(out, dir, sources)) return { built: false, outFile: out };

  const opa = ensureOpa();
  const caps = await ensureCapabilities({ opa, file: resolve(capabilitiesFile) });
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // Run from the parent so paths inside the bundle read `policies/roles.rego`, not absolute.
    run(opa, ['build', '-t', 'wasm', '-e', ENTRYPOINT, '--capabilities', caps, '--ignore', 'build', '--ignore', '*_test.rego', '--ignore', '.*', basename(dir), '-o', tmp], dirname(dir));
    renameSync(tmp, out);
    writeAtomically(sourceListFile(out), sourceList(dir, sources));
  } finally {
    rmSync(tmp, { force: true });
  }
  return { built: true, outFile: out };
}

function parseArgs(argv) {
  const options = { force: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') options.force = true;
    else if (arg === '--policies') options.policiesDir = argv[++i];
    else if (arg === '--out') options.outFile = argv[++i];
    else throw new Error(`unknown argument ${arg} (use --force, --policies DIR, --out FILE)`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const started = Date.now();
    const { built, outFile } = await buildPolicyBundle(parseArgs(process.argv.slice(2)));
    log(built ? `built ${outFile} in ${Date.now() - started} ms` : `${outFile} is up to date`);
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
