import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { startGateway, makeKey, POLICY_BUNDLE } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { parseConfig } from '../../proxy/config/load-config.js';
import { spawnGateway } from '../limits/gateway-process.js';

const provider = await startFakeProvider();
t.teardown(() => provider.close());

function post(baseURL: string, key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hello' }], ...body }),
  });
}

function tenant(keyEntry: Record<string, unknown>, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'acme',
    providers: { openai: { apiKey: 'sk-acme-test', baseUrl: provider.openaiBaseUrl } },
    tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' } },
    users: [{ id: 'alice', role: 'member' }],
    apiKeys: [keyEntry],
    ...fields,
  };
}

t.test('gateway.reload: a good config applies at once, and a stream in flight finishes on the config it started with', async (t) => {
  const first = makeKey('key-1', 'alice');
  const second = makeKey('key-2', 'alice');
  const raw = { logging: { level: 'warn' }, tenants: [tenant(first.entry)] };
  const gw = await startGateway(t, raw);
  const asFile = (tenants: unknown[], extra: Record<string, unknown> = {}) =>
    parseConfig({ logging: { level: 'warn' }, server: { host: '127.0.0.1', port: 0 }, policy: { bundle: POLICY_BUNDLE }, audit: { dir: gw.auditDir, groupCommitMs: 1 }, tenants, ...extra });

  provider.enqueue({ chunkDelayMs: 80 });
  const stream = post(gw.baseURL, first.key, { stream: true }).then(async (r) => ({ status: r.status, body: await r.text() }));
  await new Promise((r) => setTimeout(r, 150));

  // key-1 revoked by removal, key-2 added, the `fast` tier renamed `smart`, email now blocked.
  const next = asFile([tenant(second.entry, { tiers: { smart: { provider: 'openai', model: 'gpt-4o-mini' } }, dlp: { detectors: { email: 'block' } } })]);
  const outcome = await gw.gateway.reload(next);
  t.same(outcome.restartRequired, [], 'nothing needs a restart');

  const inFlight = await stream;
  t.equal(inFlight.status, 200, 'the stream started before the reload completed');
  t.ok(inFlight.body.includes('data: [DONE]') && inFlight.body.includes('word'), 'to its end, on the old tier');

  t.equal((await post(gw.baseURL, first.key, {})).status, 401, 'the removed key is refused');
  t.equal((await post(gw.baseURL, second.key, { model: 'smart' })).status, 200, 'the new key works on the new tier');
  const oldTier = await post(gw.baseURL, second.key, { model: 'fast' });
  t.equal(oldTier.status, 404, 'the removed tier is gone');
  const blocked = await post(gw.baseURL, second.key, { model: 'smart', messages: [{ role: 'user', content: 'mail bob@example.com' }] });
  t.equal(blocked.status, 400, 'the new DLP rule applies');
  t.match(await blocked.text(), /dlp_blocked/);
  t.equal(gw.gateway.config.tenants[0]?.apiKeys[0]?.id, 'key-2', 'gateway.config is the applied config');

  const portChange = await gw.gateway.reload(asFile([tenant(second.entry, { tiers: { smart: { provider: 'openai', model: 'gpt-4o-mini' } } })], { server: { host: '127.0.0.1', port: 0, maxBodyBytes: 1024 } }));
  t.same(portChange.restartRequired, ['server'], 'a server change is reported as needing a restart');
  t.equal(gw.gateway.config.server.maxBodyBytes, 2 * 1024 * 1024, 'and is not applied');
});

t.test('SIGHUP with a broken file changes nothing and logs every error with its path; a good file applies; --watch-config applies without a signal', async (t) => {
  const first = makeKey('key-1', 'alice');
  const second = makeKey('key-2', 'alice');
  const third = makeKey('key-3', 'alice');
  const gw = await spawnGateway(t, { tenants: [tenant(first.entry)] }, ['--watch-config']);
  const original = JSON.parse(readFileSync(gw.configFile, 'utf8')) as Record<string, unknown>;
  const waitForLog = async (pattern: RegExp, from: number): Promise<string[]> => {
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      const found = gw.logs.slice(from).filter((l) => pattern.test(l));
      if (found.length > 0) return found;
    }
    throw new Error(`no log line matching ${pattern}`);
  };

  // Two mistakes: a tier naming an unknown provider, and a string where a number belongs.
  let mark = gw.logs.length;
  const broken = { ...original, tenants: [tenant(second.entry, { tiers: { fast: { provider: 'opneai', model: 'gpt-4o-mini' } }, rateLimits: { perUser: { requestsPerMinute: 'many' } } })] };
  writeFileSync(gw.configFile, JSON.stringify(broken));
  gw.signal('SIGHUP');
  await waitForLog(/the running configuration is unchanged/, mark);
  const errors = gw.logs.slice(mark).filter((l) => l.includes('config reload rejected:'));
  t.ok(errors.some((l) => l.includes('tenants[0].tiers.fast.provider') && l.includes('opneai')), 'the unknown provider is named by its path');
  t.ok(errors.some((l) => l.includes('tenants[0].rateLimits.perUser.requestsPerMinute')), 'the wrong type is named by its path');
  t.equal((await post(gw.baseURL, first.key, {})).status, 200, 'the old key still works');
  t.equal((await post(gw.baseURL, second.key, {})).status, 401, 'the broken file\'s key was not applied');

  mark = gw.logs.length;
  writeFileSync(gw.configFile, JSON.stringify({ ...original, tenants: [tenant(second.entry)] }));
  gw.signal('SIGHUP');
  await waitForLog(/"msg":"config reloaded"/, mark);
  t.equal((await post(gw.baseURL, second.key, {})).status, 200, 'after SIGHUP the new key works');
  t.equal((await post(gw.baseURL, first.key, {})).status, 401, 'and the old one is gone');

  mark = gw.logs.length;
  writeFileSync(gw.configFile, JSON.stringify({ ...original, tenants: [tenant(third.entry)] }));
  await waitForLog(/"trigger":"file-watch".*"msg":"config reloaded"|"msg":"config reloaded".*"trigger":"file-watch"/, mark);
  t.equal((await post(gw.baseURL, third.key, {})).status, 200, 'the file watch applied the change with no signal');
});
