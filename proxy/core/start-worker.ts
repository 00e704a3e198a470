import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` (without extension) next to `callerUrl`
 * (`import.meta.url` of the caller). Run from TypeScript sources (tests, `tsx`), the worker
 * registers tsx itself before loading its module: on Node 20 a worker does not inherit the
 * parent's loader hooks.
 */
export function startModuleWorker(callerUrl: string, name: string): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}
