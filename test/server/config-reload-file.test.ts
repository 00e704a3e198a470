// The reload of the YAML file (SIGHUP / --watch-config, proxy/server/config-reload.ts) in-process
// against the real gateway: a good file applies, a broken one changes nothing and says where it
// is wrong, a restart-only change is applied live where it can be and named where it cannot;
// and the file watch reports content changes, including editors' save-by-rename. The signal and
// the flag themselves are driven on a real process in config-reload.test.ts.
import t from 'tap';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { startGateway, makeKey, POLICY_BUNDLE } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { reloadConfigFile, watchConfigFile } from '../../proxy/server/config-reload.js';

const provider = await startFakeProvider();
t.teardown(() => provider.close());

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wj-reload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function tenant(keyEntry: Record<string, unknown>, tiers: Record<string, unknown> = { fast: { provider: 'openai', model: 'gpt-4o-mini' } }): Record<string, unknown> {
  return {
    id: 'acme',
    providers: { openai: { apiKey: 'sk-acme-test', baseUrl: provider.openaiBaseUrl } },
    tiers,
    users: [{ id: 'alice', role: 'member' }],
    apiKeys: [keyEntry],
  };
}

async function chatStatus(baseURL: string, key: string): Promise<number> {
  const res = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hello' }] }),
  });
  await res.text();
  return res.status;
}

t.test('reloadConfigFile: good file applies, broken file changes nothing, restart-only sections are named', async (t) => {
  const first = makeKey('key-1', 'alice');
  const second = makeKey('key-2', 'alice');
  const gw = await startGateway(t, { logging: { level: 'warn' }, tenants: [tenant(first.entry)] });
  const file = join(tempDir(t), 'gateway.yaml');
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  const base = { logging: { level: 'warn' }, server: { host: '127.0.0.1', port: 0 }, policy: { bundle: POLICY_BUNDLE }, audit: { dir: gw.auditDir, groupCommitMs: 1 } };
  const reload = (content: unknown) => {
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return reloadConfigFile({ path: file, env: {}, gateway: gw.gateway, logger, trigger: 'test' });
  };
  t.equal(await chatStatus(gw.baseURL, first.key), 200);

  t.same(await reload({ ...base, tenants: [tenant(second.entry)] }), { ok: true, restartRequired: [] });
  t.equal(await chatStatus(gw.baseURL, second.key), 200, 'the new key works at once');
  t.equal(await chatStatus(gw.baseURL, first.key), 401, 'the removed key is refused at once');
  t.ok(lines.some((l) => JSON.parse(l).msg === 'config reloaded'), 'logged');

  lines.length = 0;
  const broken = await reload({ ...base, tenants: [tenant(first.entry, { fast: { provider: 'nosuch', model: 'm' } })] });
  t.equal(broken.ok, false);
  t.match(broken, { issues: [{ path: /tenants\[0\]\.tiers\.fast\.provider|tenants\.0\.tiers\.fast\.provider/ }] });
  t.ok(lines.some((l) => /config reload rejected: .*fast.*provider/.test(JSON.parse(l).msg)), 'each error logged with its path');
  t.ok(lines.some((l) => JSON.parse(l).msg === 'config reload rejected: the running configuration is unchanged'));
  t.equal(await chatStatus(gw.baseURL, second.key), 200, 'the running config is unchanged');
  t.equal(await chatStatus(gw.baseURL, first.key), 401);

  const unreadable = await reload('tenants: [unclosed');
  t.equal(unreadable.ok, false, 'a file that is not YAML changes nothing either');
  t.equal(await chatStatus(gw.baseURL, second.key), 200);

  lines.length = 0;
  const moved = await reload({ ...base, server: { host: '127.0.0.1', port: 1 }, tenants: [tenant(first.entry)] });
  t.same(moved, { ok: true, restartRequired: ['server'] }, 'tenants apply, server is named for a restart');
  t.equal(await chatStatus(gw.baseURL, first.key), 200, 'the live part applied');
  const warn = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 40);
  t.match(warn?.msg, /changes to server take effect after a restart/);
});

t.test('watchConfigFile: content changes are reported once, unchanged saves and other files are not, stop() stops', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, 'a: 1\n');
  let calls = 0;
  const stop = watchConfigFile(file, () => calls++, { debounceMs: 30 });
  t.teardown(stop);
  const settle = () => sleep(500);

  writeFileSync(file, 'a: 1\n');
  writeFileSync(join(dir, 'other.yaml'), 'b: 2\n');
  await settle();
  t.equal(calls, 0, 'the same content and another file are not a change');

  writeFileSync(file, 'a: 2\n');
  writeFileSync(file, 'a: 3\n');
  await settle();
  t.equal(calls, 1, 'two quick writes are one change (debounced)');

  // Editors (and Kubernetes ConfigMap updates) replace the file by renaming a new one over it.
  writeFileSync(join(dir, '.gateway.yaml.swp'), 'a: 4\n');
  renameSync(join(dir, '.gateway.yaml.swp'), file);
  await settle();
  t.equal(calls, 2, 'a save by rename is seen');

  rmSync(file);
  await settle();
  t.equal(calls, 2, 'a missing file is not a change (the next good save is)');

  stop();
  writeFileSync(file, 'a: 5\n');
  await settle();
  t.equal(calls, 2, 'nothing after stop()');
});
