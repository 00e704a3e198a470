// PostgreSQL for scripts/test-container.mjs, run the way deploy/docker-compose.yml describes it:
// the `postgres` service's image and POSTGRES_USER/POSTGRES_DB come from that file, and the gateway
// reaches it with one URL whose role owns the database (the gateway derives its non-owner role).
// Also the queries the container test asks the database, as its owner, through the `pg` package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';

/** The `postgres` service of deploy/docker-compose.yml: fully qualified image, user and database. */
export function composePostgres(root) {
  const compose = parse(readFileSync(join(root, 'deploy/docker-compose.yml'), 'utf8'));
  const service = compose.services.postgres;
  const [name, tag] = service.image.split(':');
  return { image: `docker.io/library/${name}:${tag}`, user: service.environment.POSTGRES_USER, database: service.environment.POSTGRES_DB };
}

/**
 * Starts the postgres image on the host network at `port` (PGPORT: the server's default port, read
 * by the official entrypoint and by the stand-in prepare.sh builds) and waits until `url` answers.
 */
export async function startPostgres({ podman, name, image, user, database, password, port }) {
  podman(['run', '-d', '--network', 'host', '--name', name, '--env', `PGPORT=${port}`, '--env', `POSTGRES_USER=${user}`, '--env', `POSTGRES_DB=${database}`, '--env', `POSTGRES_PASSWORD=${password}`, image]);
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return { url, readyMs: Date.now() - started };
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const logs = podman(['logs', name], { check: false });
  throw new Error(`PostgreSQL did not accept connections within 60 s: ${(logs.stdout + logs.stderr).slice(-1500)}`);
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Every row of every table in the public schema as JSON text, one line each (a poor man's pg_dump). */
export function dumpRows(url) {
  return withClient(url, async (client) => {
    const tables = await client.query("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1");
    const lines = [];
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query(`select row_to_json(t)::text as line from "${table}" t`);
      lines.push(...rows.rows.map((r) => `${table}: ${r.line}`));
    }
    return lines;
  });
}

/** The api_keys row of one key id (the owner bypasses row-level security, so it sees every tenant). */
export function apiKeyRow(url, id) {
  return withClient(url, async (client) => (await client.query('select tenant_id, id, user_id, sha256, source from api_keys where id = $1', [id])).rows[0]);
}

/**
 * Who the gateway works as: the role the store derived (`appRole`), whether it is a plain role
 * (no superuser, no BYPASSRLS, owns no table), whether api_keys has row-level security on, what
 * that role sees of api_keys without a tenant scope and scoped to `tenant` (as the gateway's
 * transactions are), and what the owner sees.
 */
export function gatewayRole(url, tenant, role = 'workjet_app') {
  return withClient(url, async (client) => {
    const found = await client.query(
      `select r.rolsuper as super, r.rolbypassrls as bypass, r.rolcanlogin as login,
              (select count(*)::int from pg_tables t where t.schemaname = 'public' and t.tableowner = r.rolname) as owned,
              (select c.relrowsecurity from pg_class c where c.relname = 'api_keys' and c.relnamespace = 'public'::regnamespace) as rls
         from pg_roles r where r.rolname = $1`,
      [role],
    );
    const ownerSees = (await client.query('select count(*)::int as n from api_keys')).rows[0].n;
    let roleSees;
    let roleSeesScoped;
    if (found.rows[0]) {
      await client.query('begin');
      await client.query(`set local role "${role}"`);
      roleSees = (await client.query('select count(*)::int as n from api_keys')).rows[0].n;
      await client.query("select set_config('workjet.tenant_id', $1, true)", [tenant]);
      roleSeesScoped = (await client.query('select count(*)::int as n from api_keys')).rows[0].n;
      await client.query('rollback');
    }
    return { exists: Boolean(found.rows[0]), ...found.rows[0], ownerSees, roleSees, roleSeesScoped };
  });
}
