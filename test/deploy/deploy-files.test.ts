import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers/gateway.js';
import { parseConfigText } from '../../proxy/config/load-config.js';

// The deploy files as a new user would take them: every variable a config needs is passed, the
// Kubernetes example has what it needs to run, and the image's context and command are right.
// (scripts/test-container.mjs builds and runs the image itself.)
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** `${NAME}` references in a config text (the `$${NAME}` escape excluded). */
function variablesOf(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    let at = line.indexOf('${');
    while (at >= 0) {
      const end = line.indexOf('}', at);
      if (end < 0) break;
      if (line[at - 1] !== '$') names.add(line.slice(at + 2, end));
      at = line.indexOf('${', end);
    }
  }
  return [...names].sort();
}

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  build?: string;
  read_only?: boolean;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

t.test('docker-compose passes every variable the config it mounts needs, and that config validates', async (t) => {
  const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const gateway = compose.services['gateway'];
  t.ok(gateway, 'a gateway service');
  const mounted = gateway?.volumes?.find((v) => v.endsWith(':/etc/workjet/gateway.yaml:ro'));
  t.ok(mounted, 'the config file is mounted read-only');
  const configPath = join('deploy', mounted?.split(':')[0] ?? '');
  const text = read(configPath);
  const needed = variablesOf(text);
  t.ok(needed.length >= 10, `the config needs ${needed.length} variables`);
  const passed = Object.keys(gateway?.environment ?? {});
  t.same(needed.filter((name) => !passed.includes(name)), [], 'compose passes every one of them');
  const env: Record<string, string> = Object.fromEntries(needed.map((name) => [name, name === 'WORKJET_JWT_SECRET' ? 'x'.repeat(40) : name === 'REDIS_URL' ? 'redis://redis:6379' : name === 'S3_ENDPOINT' ? 'https://example.r2.cloudflarestorage.com' : `value-of-${name}`]));
  env['DATABASE_URL'] = gateway?.environment?.['DATABASE_URL'] ?? '';
  const config = parseConfigText(text, env, configPath);
  t.same(config.store, { kind: 'postgres', url: env['DATABASE_URL'], appRole: 'workjet_app', poolSize: 10 }, 'tenant data in PostgreSQL at DATABASE_URL');
  t.equal(config.server.host, '0.0.0.0', 'the mounted config listens on all interfaces');
  t.ok(compose.services['redis'], 'Redis beside it');
  t.equal(gateway?.environment?.['REDIS_URL'], 'redis://redis:6379', 'pointed at the redis service');
  t.equal(gateway?.read_only, true, 'read-only root filesystem, data on a volume');
  t.ok(gateway?.volumes?.some((v) => v.endsWith(':/app/data')), 'the spool is on a named volume');
});

t.test('docker-compose runs PostgreSQL for tenant data: the gateway waits for it, reaches it as the database owner, and gets the master key', async (t) => {
  const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const gateway = compose.services['gateway'];
  const postgres = compose.services['postgres'];
  t.equal(postgres?.image, 'postgres:15-bookworm');
  const pgEnv = postgres?.environment ?? {};
  t.match(pgEnv['POSTGRES_PASSWORD'], /^\$\{POSTGRES_PASSWORD:\?.*\}$/, 'compose refuses to start without POSTGRES_PASSWORD');
  const dataVolume = postgres?.volumes?.find((v) => v.endsWith(':/var/lib/postgresql/data'));
  t.ok(Object.keys(compose.volumes ?? {}).includes(dataVolume?.split(':')[0] ?? ''), 'the database lives on a named volume');
  t.match(postgres?.healthcheck?.test.join(' '), /pg_isready/, 'a health check');
  t.equal(gateway?.depends_on?.['postgres']?.condition, 'service_healthy', 'the gateway starts once PostgreSQL is healthy');

  // DATABASE_URL as compose passes it, with POSTGRES_PASSWORD substituted: the role and database
  // the postgres service creates, on the service's host name.
  const url = new URL((gateway?.environment?.['DATABASE_URL'] ?? '').replace(/\$\{POSTGRES_PASSWORD:\?[^}]*\}/, 'pw'));
  t.equal(url.protocol, 'postgres:');
  t.equal(url.hostname, 'postgres');
  t.equal(decodeURIComponent(url.username), pgEnv['POSTGRES_USER']);
  t.equal(url.password, 'pw', 'the password is POSTGRES_PASSWORD');
  t.equal(url.pathname, `/${pgEnv['POSTGRES_DB']}`);
  t.match(gateway?.environment?.['WORKJET_MASTER_KEY'], /^\$\{WORKJET_MASTER_KEY:\?.*\}$/, 'WORKJET_MASTER_KEY is required (provider keys set over the admin API)');
});

t.test('the Kubernetes example: Secret, ConfigMap, Service and a PersistentVolumeClaim for the spool; its config validates with the Secret', async (t) => {
  const docs = parseAllDocuments(read('deploy/kubernetes/sidecar.yaml')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string>; spec?: Record<string, unknown> });
  const kinds = docs.map((d) => d.kind);
  for (const kind of ['Secret', 'ConfigMap', 'Service', 'StatefulSet']) t.ok(kinds.includes(kind), `has a ${kind}`);
  const set = docs.find((d) => d.kind === 'StatefulSet');
  const claims = (set?.spec?.['volumeClaimTemplates'] ?? []) as { kind: string; metadata: { name: string } }[];
  t.ok(claims.some((c) => c.kind === 'PersistentVolumeClaim' && c.metadata.name === 'spool'), 'a PersistentVolumeClaim named spool per pod');
  const text = JSON.stringify(set);
  t.match(text, /"name":"spool","mountPath":"\/app\/data"/, 'mounted where the gateway spools');
  t.notMatch(text, /emptyDir/, 'no emptyDir for the spool');
  const configText = docs.find((d) => d.kind === 'ConfigMap')?.data?.['gateway.yaml'] ?? '';
  const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === 'workjet-gateway-secrets')?.stringData ?? {};
  t.same(variablesOf(configText).filter((name) => !(name in secret)), [], 'the Secret holds every variable the ConfigMap needs');
  const config = parseConfigText(configText, secret, 'ConfigMap workjet-gateway-config');
  t.equal(config.server.host, '0.0.0.0');
  t.equal(config.audit.dir, './data');
  t.equal(config.store.kind, 'postgres', 'tenant data in PostgreSQL');
  t.equal(config.store.kind === 'postgres' ? config.store.url : '', secret['DATABASE_URL'], 'at the Secret\'s DATABASE_URL');
  t.ok(secret['WORKJET_MASTER_KEY'], 'the Secret holds WORKJET_MASTER_KEY');
  const gatewayContainer = JSON.stringify(set).includes('"envFrom":[{"secretRef":{"name":"workjet-gateway-secrets"}}]');
  t.ok(gatewayContainer, 'the gateway container takes its environment from that Secret');
  t.notMatch(JSON.stringify(set), /postgres/i, 'no PostgreSQL container in the pod: the database runs separately');
});

t.test('the image: Node 22, listens on all interfaces by default, a .dockerignore keeping local state out of the context', async (t) => {
  const dockerfile = read('Dockerfile');
  t.match(dockerfile, /^FROM node:22-bookworm AS build$/m);
  t.match(dockerfile, /^FROM node:22-bookworm-slim$/m);
  t.match(dockerfile, /^CMD \["--config", "config\/gateway.yaml", "--host", "0.0.0.0"\]$/m);
  t.match(dockerfile, /^USER node$/m);
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
  for (const entry of ['node_modules', '.tools', '.venv', 'data', '.git', 'dist']) t.ok(ignored.includes(entry), `.dockerignore excludes ${entry}`);
});
