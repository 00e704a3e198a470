import { request } from 'node:http';
import { startGateway, makeKey } from '../helpers/gateway.js';
import { startFakeProvider } from '../fake-provider/fake-provider.js';

function send(url: string, headers: Record<string, string>, chunks: string[]): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let s = ''; res.on('data', (c) => (s += c)); res.on('end', () => resolve(`${res.statusCode} ${s.slice(0, 80)}`));
    });
    req.on('error', (e) => resolve('ERR ' + e.message));
    req.on('socket', (s) => console.log('client socket local port', s.localPort));
    let i = 0;
    const next = () => { const c = chunks[i++]; if (c === undefined) { req.end(); return; } req.write(c); setTimeout(next, 5); };
    next();
  });
}
const fake = await startFakeProvider();
const k = makeKey('k1', 'alice');
const teardowns: (() => unknown)[] = [];
const gw = await startGateway({ teardown: (f) => teardowns.push(f) }, { server: { maxBodyBytes: 4096 }, tenants: [{ id: 'acme', providers: { openai: { apiKey: 'sk-x', baseUrl: fake.openaiBaseUrl } }, tiers: { fast: { provider: 'openai', model: 'm' } }, users: [{ id: 'alice', role: 'member' }], apiKeys: [k.entry] }] });
gw.gateway.server.on('connection', (s) => console.log('server got connection', s.remotePort));
const h = { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' };
const body = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(12000) }] });
console.log(await send(`${gw.baseURL}/chat/completions`, h, [body.slice(0, 1000), body.slice(1000, 3000), body.slice(3000, 6000), body.slice(6000)]));
const small = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x' }] });
const t0 = Date.now();
console.log(await Promise.race([send(`${gw.baseURL}/chat/completions`, h, [small]), new Promise((r) => setTimeout(() => r('TIMEOUT'), 3000))]), Date.now() - t0);
for (const f of teardowns) await f();
await fake.close();
process.exit(0);
