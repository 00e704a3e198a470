#!/usr/bin/env node
// `npm run test:container`: builds the real Dockerfile (unchanged) with podman, runs the image next
// to Redis and PostgreSQL containers the way deploy/docker-compose.yml wires them, and checks what
// an operator relies on: the HEALTHCHECK passes, /readyz with PostgreSQL as the store, the official
// OpenAI SDK gets answers (plain and streamed), a key made over the admin API works and still works
// after the gateway container is replaced (it lives in PostgreSQL, as a hash only, read through a
// role row-level security applies to), the process runs as non-root on a read-only root filesystem
// with data/ on a volume, SIGTERM drains and flushes the audit spool with no record lost, the CLIs
// run from compiled JS, and the default command listens on all interfaces. Prints the image size and the build time.
// Results go to .tap/container-results/container.tap (counted by scripts/tap-summary.mjs).
// No podman (and no ../shared/container/prepare.sh to install it): prints why and exits 0, skipped.
//   node scripts/test-container.mjs [--keep-image]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiKeyRow, composePostgres, dumpRows, gatewayRole, startPostgres } from './container-postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, '.tap/container-results');
const IMAGE = 'localhost/workjet-gateway:test';
const DEMO_KEY = 'wj_JNVnyWMCuduCxfgnucVPxzPSgKLzTTUAu6bBwBownar';
const demoHash = createHash('sha256').update(DEMO_KEY).digest('hex');
const POSTGRES = composePostgres(root);
const BASE_IMAGES = ['docker.io/library/node:22-bookworm', 'docker.io/library/node:22-bookworm-slim', 'docker.io/openpolicyagent/opa:1.22.3-static', 'docker.io/library/redis:7-bookworm', POSTGRES.image];
// What compose takes from .env: POSTGRES_PASSWORD (inside DATABASE_URL) and WORKJET_MASTER_KEY.
const PG_PASSWORD = `pw-${process.pid}`;
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const CANARY_PROVIDER_KEY = `sk-container-canary-${process.pid}-do-not-store-in-clear`;
const prepareScript = [join(root, '../shared/container/prepare.sh'), '/work/shared/container/prepare.sh'].find((p) => existsSync(p));
const log = (line) => process.stdout.write(`[container] ${line}\n`);

const points = [];
function check(ok, name, detail = '') {
  points.push({ ok, name });
  log(`${ok ? 'ok' : 'NOT OK'} - ${name}${detail ? ` (${detail})` : ''}`);
  return ok;
}
function writeResults(skipReason) {
  mkdirSync(resultsDir, { recursive: true });
  const lines = ['TAP version 14'];
  if (skipReason) lines.push(`1..0 # SKIP ${skipReason}`);
  else {
    points.forEach((p, i) => lines.push(`${p.ok ? 'ok' : 'not ok'} ${i + 1} - ${p.name}`));
    lines.push(`1..${points.length}`);
  }
  writeFileSync(join(resultsDir, 'container.tap'), lines.join('\n') + '\n');
}
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function podman(args, options = {}) {
  const r = spawnSync('podman', ['--runtime', 'runc', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (options.check !== false && r.status !== 0) throw new Error(`podman ${args.slice(0, 2).join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
  return r;
}
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

// --- 0. a container engine, and the base images the Dockerfile names --------------------------
rmSync(resultsDir, { recursive: true, force: true });
const missingImages = () => (has('podman') ? BASE_IMAGES.filter((img) => podman(['image', 'exists', img], { check: false }).status !== 0) : BASE_IMAGES);
if (!has('podman') || missingImages().length > 0) {
  if (prepareScript && process.getuid?.() === 0) {
    log(`preparing podman and the base images with ${prepareScript} (several minutes the first time)…`);
    const r = spawnSync('bash', [prepareScript, '22'], { stdio: 'inherit' });
    if (r.status !== 0) log(`prepare.sh failed with ${r.status}`);
  }
}
if (!has('podman')) {
  const reason = 'podman is not installed (run ../shared/container/prepare.sh, or apt-get install podman)';
  log(`SKIPPED: ${reason}`);
  writeResults(reason);
  process.exit(0);
}
const stillMissing = missingImages();
if (stillMissing.length > 0) {
  const reason = `base images missing: ${stillMissing.join(', ')} (run ../shared/container/prepare.sh)`;
  log(`SKIPPED: ${reason}`);
  writeResults(reason);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'wj-container-'));
const containers = [];
const cleanup = () => {
  for (const name of containers) podman(['rm', '-f', '-t', '0', name], { check: false });
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);

try {
  // --- 1. build the Dockerfile as it is --------------------------------------------------------
  const npmrc = join(work, 'npmrc');
  // npm inside the build reaches the registry through this machine's CA bundle.
  writeFileSync(npmrc, 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr/local\n');
  const buildStarted = Date.now();
  // The build's own output streams through (a cold build compiles re2 and takes minutes).
  const build = podman(['build', '--format', 'docker', '--network', 'host', '--volume', '/etc/ssl/certs:/etc/ssl/certs:ro', '--volume', `${npmrc}:/root/.npmrc:ro`, '-t', IMAGE, root], { check: false, stdio: ['ignore', 'inherit', 'inherit'] });
  const buildSecs = ((Date.now() - buildStarted) / 1000).toFixed(1);
  if (!check(build.status === 0, 'the Dockerfile builds unchanged with podman --format docker', `${buildSecs} s`)) {
    throw new Error('build failed');
  }
  const inspect = JSON.parse(podman(['image', 'inspect', IMAGE]).stdout)[0];
  const sizeMb = Math.round(inspect.Size / 1e6);
  log(`image size: ${sizeMb} MB; build time: ${buildSecs} s`);
  check(inspect.Config?.User === 'node', 'the image runs as the non-root user node', `User=${inspect.Config?.User}`);
  check(Boolean((inspect.Healthcheck ?? inspect.Config?.Healthcheck)?.Test?.length), 'the image keeps its HEALTHCHECK');

  // --- 2. Redis, PostgreSQL and the gateway, as docker-compose.yml wires them (host network here)
  const redisPort = await freePort();
  const gwPort = await freePort();
  const redisName = `wj-ct-redis-${process.pid}`;
  containers.push(redisName);
  podman(['run', '-d', '--network', 'host', '--name', redisName, 'docker.io/library/redis:7-bookworm', 'redis-server', '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  const pgName = `wj-ct-postgres-${process.pid}`;
  containers.push(pgName);
  // compose's `depends_on: postgres: service_healthy`: the gateway starts once the database answers.
  const database = await startPostgres({ podman, name: pgName, image: POSTGRES.image, user: POSTGRES.user, database: POSTGRES.database, password: PG_PASSWORD, port: await freePort() });
  log(`PostgreSQL (${POSTGRES.image}) accepted connections after ${database.readyMs} ms`);
  const dataDir = join(work, 'data');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o777); // the container's node user (uid 1000) writes the spool and audit here
  const confDir = join(work, 'etc');
  mkdirSync(confDir);
  // The demo tenant (its public key) on the built-in demo provider, Redis for limits and spend.
  writeFileSync(
    join(confDir, 'gateway.yaml'),
    [
      `server: { host: 0.0.0.0, port: ${gwPort} }`,
      `redis: { url: "redis://127.0.0.1:${redisPort}", failMode: closed }`,
      'store: { kind: postgres, url: "${DATABASE_URL}" }',
      'policy: { bundle: policies/build/bundle.tar.gz }',
      'audit: { sink: file, dir: ./data, durability: spool }',
      'pricing: { demo-fast: { input: 0.1, output: 0.4 } }',
      'tenants:',
      '  - id: demo',
      '    providers: { demo: { type: demo } }',
      '    tiers: { fast: { provider: demo, model: demo-fast } }',
      '    users: [{ id: newcomer, role: owner }]',
      `    apiKeys: [{ id: key-demo, user: newcomer, sha256: "${demoHash}" }]`,
      '    rateLimits: { perUser: { requestsPerMinute: 1000 } }',
      '    budget: { monthlyUsd: 10 }',
    ].join('\n') + '\n',
  );
  chmodSync(join(confDir, 'gateway.yaml'), 0o644);
  // The gateway container (run again, on the same volumes, after the SIGTERM check below).
  const startGateway = async (name) => {
    containers.push(name);
    podman(['run', '-d', '--network', 'host', '--name', name, '--read-only', '--env', `WORKJET_HEALTH_URL=http://127.0.0.1:${gwPort}/healthz`, '--env', `DATABASE_URL=${database.url}`, '--env', `WORKJET_MASTER_KEY=${MASTER_KEY}`, '--volume', `${dataDir}:/app/data`, '--volume', `${confDir}:/etc/workjet:ro`, IMAGE, '--config', '/etc/workjet/gateway.yaml']);
    const started = Date.now();
    let healthy = false;
    while (!healthy && Date.now() - started < 60_000) {
      healthy = podman(['healthcheck', 'run', name], { check: false }).status === 0;
      if (!healthy) await sleep(500);
    }
    if (!healthy) process.stdout.write(podman(['logs', name], { check: false }).stdout.slice(-3000) + '\n');
    return { healthy, ms: Date.now() - started };
  };
  const readyz = () => fetch(`http://127.0.0.1:${gwPort}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }), () => ({ status: 0, body: {} }));
  const gwName = `wj-ct-gateway-${process.pid}`;
  const first = await startGateway(gwName);
  if (!check(first.healthy, 'the HEALTHCHECK passes', `${first.ms} ms after start`)) throw new Error('not healthy');
  const ready = await readyz();
  check(ready.status === 200 && ready.body.checks?.store === true, '/readyz answers 200 with PostgreSQL as the store (policy loaded, Redis and PostgreSQL reachable)', JSON.stringify(ready.body.checks));
  check(!existsSync(join(dataDir, 'workjet.db')), 'no embedded SQLite store on the data volume (tenant data goes to PostgreSQL)');
  const uid = podman(['exec', gwName, 'id', '-u']).stdout.trim();
  check(uid !== '0' && uid !== '', 'the gateway process is not root', `uid ${uid}`);
  const rootWrite = podman(['exec', gwName, 'sh', '-c', 'touch /app/should-fail'], { check: false });
  check(rootWrite.status !== 0, 'the root filesystem is read-only');

  // --- 3. the official OpenAI SDK through it --------------------------------------------------
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({ apiKey: DEMO_KEY, baseURL: `http://127.0.0.1:${gwPort}/v1`, maxRetries: 0 });
  const ids = [];
  const plain = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hello from the container test' }] }).withResponse();
  ids.push(plain.response.headers.get('x-workjet-request-id'));
  check(Boolean(plain.data.choices[0]?.message.content), 'the OpenAI SDK gets a chat completion');
  const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'Stream please' }] }).withResponse();
  ids.push(stream.response.headers.get('x-workjet-request-id'));
  let streamed = '';
  for await (const chunk of stream.data) streamed += chunk.choices[0]?.delta?.content ?? '';
  check(streamed.length > 0, 'the OpenAI SDK streams a completion', `${streamed.length} chars`);

  // --- 3b. tenant data written through the admin API goes live ----------------------------------
  const admin = (method, path, body) =>
    fetch(`http://127.0.0.1:${gwPort}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => ({})) }));
  const created = await admin('POST', '/keys', { user: 'newcomer', name: 'container-test' });
  const newKey = created.body.key ?? '';
  check(created.status === 201 && newKey.startsWith('wj_'), 'the demo owner creates an API key through the admin API', `${created.status}`);
  const viaNewKey = (label) =>
    new OpenAI({ apiKey: newKey, baseURL: `http://127.0.0.1:${gwPort}/v1`, maxRetries: 0 }).chat.completions
      .create({ model: 'fast', messages: [{ role: 'user', content: label }] })
      .then((r) => r.choices[0]?.message.content ?? '', (err) => `error: ${err?.status ?? err}`);
  const firstAnswer = await viaNewKey('Hello with the new key');
  check(firstAnswer.length > 0 && !firstAnswer.startsWith('error:'), 'the OpenAI SDK gets an answer with the API-created key (tenant data in PostgreSQL is live)', firstAnswer.slice(0, 60));
  // WORKJET_MASTER_KEY reaches the gateway: a provider key set over the API is accepted (sealed).
  const provider = await admin('PUT', '/routing/providers/vault', { type: 'demo', apiKey: CANARY_PROVIDER_KEY });
  const routing = await admin('GET', '/routing');
  check(provider.status === 200 && routing.body.providers?.vault?.apiKeySet === true, 'a provider key set over the admin API is stored (WORKJET_MASTER_KEY passed)', `${provider.status} ${JSON.stringify(provider.body).slice(0, 120)}`);

  // --- 4. SIGTERM while requests are in flight: drain, flush the spool, lose no record ---------
  // 30 streams whose answers have started (headers in) when SIGTERM arrives; their bodies are read after it.
  const started = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      client.chat.completions
        .create({ model: 'fast', stream: true, messages: [{ role: 'user', content: `drain ${i} ${'word '.repeat(50)}` }] })
        .withResponse()
        .catch(() => null),
    ),
  );
  const stopping = new Promise((resolve) => setImmediate(() => resolve(podman(['stop', '-t', '30', gwName], { check: false }))));
  const finished = await Promise.all(
    started.map(async (s) => {
      if (!s) return null;
      try {
        for await (const _ of s.data) void _;
        return s.response.headers.get('x-workjet-request-id');
      } catch {
        return null;
      }
    }),
  );
  const stop = await stopping;
  const answered = finished.filter(Boolean);
  check(answered.length === 30, 'the 30 streams in flight at SIGTERM all complete', `${answered.length} of 30`);
  ids.push(...answered);
  const state = JSON.parse(podman(['inspect', gwName]).stdout)[0].State;
  check(stop.status === 0 && state.ExitCode === 0, 'SIGTERM stops the gateway cleanly (exit 0)', `exit ${state.ExitCode}`);
  const logs = podman(['logs', gwName], { check: false }).stdout;
  check(logs.includes('"signal":"SIGTERM"'), 'the gateway logged the SIGTERM drain');
  const auditFiles = filesUnder(join(dataDir, 'audit')).filter((f) => f.endsWith('.json'));
  const recorded = new Set();
  for (const f of auditFiles) {
    try {
      recorded.add(JSON.parse(readFileSync(f, 'utf8')).requestId);
    } catch {
      // a malformed record counts as missing below
    }
  }
  const lost = ids.filter((id) => !recorded.has(id));
  check(answered.length > 0 && lost.length === 0, 'every answered request has its audit record on the volume after SIGTERM (spool flushed)', `${ids.length} answered, ${auditFiles.length} records, ${lost.length} lost`);

  // --- 4b. a new gateway container on the same volumes: the API-made key lived in PostgreSQL ----
  podman(['rm', '-f', '-t', '0', gwName], { check: false });
  const second = await startGateway(`${gwName}-2`);
  const againAnswer = second.healthy ? await viaNewKey('Hello again after the restart') : 'error: not healthy';
  check(againAnswer.length > 0 && !againAnswer.startsWith('error:'), 'the API-created key still works after the gateway container is replaced (it lives in PostgreSQL)', againAnswer.slice(0, 60));
  const row = await apiKeyRow(database.url, created.body.id);
  const rows = await dumpRows(database.url);
  const clear = rows.filter((line) => line.includes(newKey) || line.includes(CANARY_PROVIDER_KEY));
  check(row?.sha256 === createHash('sha256').update(newKey).digest('hex') && clear.length === 0, 'PostgreSQL holds the key as a SHA-256 hash only: no table row holds the clear wj_ key or the clear provider key', `${rows.length} rows, ${clear.length} in clear`);
  const role = await gatewayRole(database.url, 'demo');
  check(
    role.exists && !role.super && !role.bypass && !role.login && role.owned === 0 && role.rls && role.roleSees === 0 && role.roleSeesScoped >= 2 && role.ownerSees >= role.roleSeesScoped,
    'the gateway works as the derived role workjet_app: not the owner, no BYPASSRLS, row-level security in force (no rows unscoped, the tenant\'s rows scoped)',
    `owner sees ${role.ownerSees} keys, workjet_app ${role.roleSees} unscoped, ${role.roleSeesScoped} as demo`,
  );

  // --- 5. the CLIs from compiled JavaScript (the image has no tsx) -----------------------------
  const cfg = podman(['run', '--rm', '--read-only', '--network', 'none', '--entrypoint', 'npm', IMAGE, 'run', '--silent', 'config:check', '--', '--config', 'config/gateway.yaml'], { check: false });
  check(cfg.status === 0, 'npm run config:check runs inside the image', cfg.stdout.trim().split('\n').pop());
  const keys = podman(['run', '--rm', '--read-only', '--network', 'none', '--entrypoint', 'npm', IMAGE, 'run', '--silent', 'keys', '--', 'hash', DEMO_KEY], { check: false });
  check(keys.status === 0 && keys.stdout.trim() === demoHash, 'npm run keys runs inside the image (hash of the demo key)', keys.stdout.trim());

  // --- 6. the default command listens on every interface --------------------------------------
  const defName = `wj-ct-default-${process.pid}`;
  containers.push(defName);
  const portFree = await new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(8080, '0.0.0.0', () => s.close(() => resolve(true)));
  });
  if (portFree) {
    const defData = join(work, 'default-data');
    mkdirSync(defData);
    chmodSync(defData, 0o777);
    podman(['run', '-d', '--network', 'host', '--read-only', '--volume', `${defData}:/app/data`, '--name', defName, IMAGE]);
    let url = '';
    for (const end = Date.now() + 30_000; Date.now() < end && !url; await sleep(300)) {
      url = /"url":"(http:[^"]+)"/.exec(podman(['logs', defName], { check: false }).stdout)?.[1] ?? '';
    }
    check(url === 'http://0.0.0.0:8080', 'the default command (demo config) listens on 0.0.0.0:8080', url);
    podman(['rm', '-f', '-t', '0', defName], { check: false });
  } else {
    log('port 8080 is taken on this machine: the default-command check is skipped');
  }
} catch (err) {
  check(false, `container test aborted: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
}

writeResults();
const failed = points.filter((p) => !p.ok).length;
log(`${points.length - failed} passed, ${failed} failed`);
if (!process.argv.includes('--keep-image')) podman(['image', 'rm', IMAGE], { check: false });
process.exit(failed === 0 ? 0 : 1);
