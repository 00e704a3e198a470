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
  /** The next stream pauses after its first two events until the returned function is called. */
  holdStream(): () => void;
  close(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(HERE, import.meta.url.endsWith('.ts') ? '..' : '../..');
const FAKE_PROVIDER = pathToFileURL(join(REPO_ROOT, 'test/fake-provider/fake-provider.ts')).href;
const FAKE_BEHAVIOR = pathToFileURL(join(REPO_ROOT, 'test/fake-provider/behavior.ts')).href;

async function loadFakeProvider(): Promise<() => Promise<FakeProviderHandle>> {
  const mod: unknown = await import(FAKE_PROVIDER);
  const start: unknown = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)['startFakeProvider'] : undefined;
  if (typeof start !== 'function') throw new Error(`${FAKE_PROVIDER} does not export startFakeProvider (is the child running with --import tsx?)`);
  return start as () => Promise<FakeProviderHandle>;
}

/** The completion text every default stream carries, so the bench can check what arrived. */
async function loadDefaultText(): Promise<string> {
  const mod: unknown = await import(FAKE_BEHAVIOR);
  const text: unknown = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>)['DEFAULT_TEXT'] : undefined;
  if (typeof text !== 'string') throw new Error(`${FAKE_BEHAVIOR} does not export DEFAULT_TEXT`);
  return text;
}

serveAsChild(async () => {
  const fake = await (await loadFakeProvider())();
  const streamText = await loadDefaultText();
  // The memory cell's commands: `hold-streams` makes the next `count` streams stop after their
  // first content event, `release-streams` lets every held (and not yet started) one finish.
  let releases: Array<() => void> = [];
  const control = (command: string, count: number | undefined): void => {
    if (command === 'hold-streams') {
      if (count === undefined || !Number.isInteger(count) || count < 1) throw new Error('hold-streams needs a positive count');
      for (let i = 0; i < count; i++) releases.push(fake.holdStream());
      return;
    }
    if (command === 'release-streams') {
      for (const release of releases) release();
      releases = [];
      return;
    }
    throw new Error(`unknown command "${command}"`);
  };
  // The fake provider records every request for test assertions; over a bench run that is
  // hundreds of thousands of bodies. Dropping them keeps its heap, and so its speed, the same
  // for the last target as for the first.
  const forget = setInterval(() => {
    fake.requests.length = 0;
  }, 250);
  forget.unref();
  return {
    port: Number(new URL(fake.url).port),
    info: { baseUrl: fake.openaiBaseUrl, streamText },
    control,
    close: async () => {
      clearInterval(forget);
      await fake.close();
    },
  };
});
