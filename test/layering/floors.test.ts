import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from '../helpers/gateway.js';

/**
 * STYLE.md "The floors of this house", checked on the sources for the rules that hold today:
 * admin has its own door (it never imports a pipeline stage), and the audit library does not
 * depend on its caller (nothing in audit/ imports admin/). Every relative import — `import`,
 * `import type` and `export … from` — is resolved to a repository path before it is judged.
 */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const PROXY = join(REPO_ROOT, 'proxy');
const files = sources(PROXY).map((path) => ({ path: relative(REPO_ROOT, path), text: readFileSync(path, 'utf8') }));

/** The repository paths (`proxy/…`) a file imports, relative specifiers only. */
function importedPaths(file: { path: string; text: string }): string[] {
  return [...file.text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => relative(REPO_ROOT, resolve(dirname(join(REPO_ROOT, file.path)), m[1] ?? '')));
}

function offenders(from: string, to: string): string[] {
  return files.filter((f) => f.path.startsWith(from)).flatMap((f) => importedPaths(f).filter((p) => p.startsWith(to)).map((p) => `${f.path} → ${p}`));
}

t.test('the import scan sees the imports it judges', async (t) => {
  const router = files.find((f) => f.path === 'proxy/admin/admin-router.ts');
  t.ok(router, 'admin-router.ts is where this test looks for it');
  t.ok(importedPaths(router ?? { path: '', text: '' }).includes('proxy/identity/identify-credential.js'), 'a relative import resolves to its repository path');
  t.ok(offenders('proxy/server/', 'proxy/pipeline/stages/').length > 0, 'the server, which builds the stages, is seen importing them');
});

t.test('admin/ never imports a pipeline stage (admin has its own door, not a second runner)', async (t) => {
  t.same(offenders('proxy/admin/', 'proxy/pipeline/stages/'), []);
});

t.test('admin/ never imports the pipeline at all', async (t) => {
  t.same(offenders('proxy/admin/', 'proxy/pipeline/'), []);
});

t.test('audit/ never imports admin/ (the recorder does not depend on its caller)', async (t) => {
  t.same(offenders('proxy/audit/', 'proxy/admin/'), []);
});

t.test('identity/ (ground floor) never imports the pipeline', async (t) => {
  t.same(offenders('proxy/identity/', 'proxy/pipeline/'), []);
});
