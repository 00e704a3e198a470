import { startGateway, makeKey, type RunningGateway } from '../helpers/gateway.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/fake-provider.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface E2e {
  readonly gw: RunningGateway;
  /** The tenant's primary provider (OpenAI and Anthropic routes). */
  readonly fake: FakeProvider;
  /** The tenant's fallback provider. */
  readonly backup: FakeProvider;
  /** acme's `wj_` key. */
  readonly key: string;
}

export const OPENAI_KEY = 'sk-acme-openai-tenant-key';
export const ANTHROPIC_KEY = 'sk-ant-acme-tenant-key';
export const BACKUP_KEY = 'sk-acme-backup-tenant-key';

/**
 * The real gateway (test/helpers/gateway.ts) in front of two fake providers: tenant acme has
 * `fast` (openai → fallback `spare`), `spare` (backup provider) and `claude` (anthropic).
 */
export async function startE2e(t: Teardown): Promise<E2e> {
  const fake = await startFakeProvider();
  const backup = await startFakeProvider();
  t.teardown(() => fake.close());
  t.teardown(() => backup.close());
  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    tenants: [
      {
        id: 'acme',
        providers: {
          openai: { apiKey: OPENAI_KEY, baseUrl: fake.openaiBaseUrl },
          anthropic: { apiKey: ANTHROPIC_KEY, baseUrl: fake.anthropicBaseUrl },
          backup: { type: 'openai', apiKey: BACKUP_KEY, baseUrl: backup.openaiBaseUrl },
        },
        tiers: {
          fast: { provider: 'openai', model: 'gpt-4o-mini', fallbacks: ['spare'] },
          spare: { provider: 'backup', model: 'gpt-backup' },
          claude: { provider: 'anthropic', model: 'claude-sonnet-4' },
          embed: { provider: 'openai', model: 'text-embedding-3-small' },
        },
        users: [{ id: 'alice', role: 'member' }],
        apiKeys: [alice.entry],
      },
    ],
  });
  return { gw, fake, backup, key: alice.key };
}

/** True when no recorded request carried the `wj_` key in any header or the body. */
export function providerNeverSawKey(providers: readonly FakeProvider[], key: string): boolean {
  return providers.every((p) => p.requests.every((r) => !JSON.stringify(r.headers).includes(key) && !JSON.stringify(r.body ?? null).includes(key)));
}
