import type { AddressInfo } from 'node:net';
import { createPassthrough } from './passthrough.js';
import { requireEnv, serveAsChild } from './target-child.js';

// Child entry: the bare passthrough in front of BENCH_UPSTREAM_ORIGIN, with at most
// BENCH_UPSTREAM_CONNECTIONS upstream sockets when set.
serveAsChild(async () => {
  const connections = process.env['BENCH_UPSTREAM_CONNECTIONS'];
  const passthrough = createPassthrough(requireEnv('BENCH_UPSTREAM_ORIGIN'), connections ? Number(connections) : undefined);
  await new Promise<void>((resolve, reject) => {
    passthrough.server.once('error', reject);
    passthrough.server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = passthrough.server.address() as AddressInfo;
  return { port, close: () => passthrough.close() };
});
