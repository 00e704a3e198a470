import type { AddressInfo } from 'node:net';
import { createPassthrough } from './passthrough.js';
import { requireEnv, serveAsChild } from './target-child.js';

// Child entry: the bare passthrough in front of BENCH_UPSTREAM_ORIGIN.
serveAsChild(async () => {
  const passthrough = createPassthrough(requireEnv('BENCH_UPSTREAM_ORIGIN'));
  await new Promise<void>((resolve, reject) => {
    passthrough.server.once('error', reject);
    passthrough.server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = passthrough.server.address() as AddressInfo;
  return { port, close: () => passthrough.close() };
});
