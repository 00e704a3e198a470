import { loadBundleFile } from '../../proxy/policy/bundle-loader.js';
import { matrixInput } from './policy-fixtures.js';
const input = matrixInput('member', 'model.invoke', 'acme');
const buf = new TextEncoder().encode(JSON.stringify(input)).buffer;
function cpu(name: string, f: () => unknown) {
  for (let i = 0; i < 10000; i++) f();
  const c0 = process.cpuUsage(); const N = 100000;
  for (let i = 0; i < N; i++) f();
  const c = process.cpuUsage(c0);
  console.log(name, 'cpu µs/op', ((c.user + c.system) / N).toFixed(2));
}
for (const p of ['/tmp/wjpol/triv.tar.gz', 'policies/build/bundle.tar.gz']) {
  const b = await loadBundleFile(p, { maxMemoryPages: 1024 });
  const pol = b.policy as any; const ex = pol.wasmInstance.exports;
  cpu(p + ' object', () => pol.evaluate(input, b.entrypoint));
  cpu(p + ' buffer', () => pol.evaluate(buf, b.entrypoint));
  // raw opa_eval without result dump
  const bytes = new Uint8Array(buf);
  cpu(p + ' raw eval', () => { const base = pol.dataHeapPtr; new Uint8Array(pol.mem.buffer).set(bytes, base); return ex.opa_eval(0, b.entrypoint, pol.dataAddr, base, bytes.length, base + bytes.length, 0); });
  cpu(p + ' stringify', () => JSON.stringify(input));
}
