import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serveAsChild } from './target-child.js';

/**
 * Child entry: the test suite's fake OpenAI/Anthropic provider, the upstream of every target.
 * It is test code, so it is loaded from source through tsx (the parent forks this file with
 * `--import tsx`) rather than compiled: that keeps test/ out of `npm run build` (and out of the
 * production `dist/`), and costs the fake provider nothing at run time — it is the same for
 * every target anyway.
 */

interface FakeProviderHandle {
  readonly url: string;
  readonly openaiBaseUrl: string;
  readonly requests: unknown[];
  close(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(HERE, import.meta.url.endsWith('.ts') ? '..' : '../..');
const FAKE_PROVIDER = pathToFileURL(join(REPO_ROOT, 'test/fake-provider/fake-provider.ts')).href;

async function loadFakeProvider(): Promise<() => Promise<FakeProviderHandle>> {
  const mod: unknown = await import(FAKE_PROVIDER);
  const start: unknown = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)['startFakeProvider'] : undefined;
  if (typeof start !== 'function') throw new Error(`${FAKE_PROVIDER} does not export startFakeProvider (is the child running with --import tsx?)`);
  return start as () => Promise<FakeProviderHandle>;
}

serveAsChild(async () => {
  const fake = await (await loadFakeProvider())();
  // The fake provider records every request for test assertions; over a bench run that is
  // hundreds of thousands of bodies. Dropping them keeps its heap, and so its speed, the same
  // for the last target as for the first.
  const forget = setInterval(() => {
    fake.requests.length = 0;
  }, 250);
  forget.unref();
  return {
    port: Number(new URL(fake.url).port),
    info: { baseUrl: fake.openaiBaseUrl },
    close: async () => {
      clearInterval(forget);
      await fake.close();
    },
  };
});
