import t from 'tap';
import { startGateway } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';
import { twoTenants } from './fixtures/tenants.js';

const TOKEN = 'ops-metrics-token-0123456789abcdef';

t.test('ops.metricsToken: /metrics needs the bearer token; /healthz and /readyz stay open', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const { config, keys } = twoTenants(fake);
  const gw = await startGateway(t, { ...config, ops: { metricsToken: TOKEN } });
  const none = await fetch(`${gw.origin}/metrics`);
  t.equal(none.status, 401);
  t.equal(none.headers.get('www-authenticate'), 'Bearer');
  t.match(await none.json(), { error: { code: 'invalid_api_key' } });
  const wrong = await fetch(`${gw.origin}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
  t.equal(wrong.status, 401);
  await wrong.arrayBuffer();
  const tenantKey = await fetch(`${gw.origin}/metrics`, { headers: { authorization: `Bearer ${keys.acmeOwner}` } });
  t.equal(tenantKey.status, 401, "a tenant's API key is not the metrics token");
  await tenantKey.arrayBuffer();
  const ok = await fetch(`${gw.origin}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(ok.status, 200);
  t.match(await ok.text(), /workjet_requests_total/);
  t.equal((await fetch(`${gw.origin}/healthz`)).status, 200);
  t.notOk(gw.logs.some((l) => l.includes(TOKEN)), 'the token is never logged');
});

t.test('without ops.metricsToken /metrics is open (the default, as before)', async (t) => {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const gw = await startGateway(t, twoTenants(fake).config);
  t.equal((await fetch(`${gw.origin}/metrics`)).status, 200);
});
