import { startGateway, makeKey, type RunningGateway } from './gateway.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/fake-provider.js';

type Teardown = Parameters<typeof startGateway>[0];

/**
 * The gateway with one tenant (`acme`, member `alice`) whose provider `google` is Gemini on the
 * fake provider, holding `apiKey`; `tiers` name models on it. What the Gemini translation tests
 * share.
 */
export async function startGeminiTenant(t: Teardown, apiKey: string, tiers: Record<string, string>): Promise<{ gw: RunningGateway; fake: FakeProvider; key: string }> {
  const fake = await startFakeProvider();
  t.teardown(() => fake.close());
  const alice = makeKey('key-alice', 'alice');
  const gw = await startGateway(t, {
    tenants: [{
      id: 'acme',
      providers: { google: { type: 'gemini', apiKey, baseUrl: fake.geminiBaseUrl } },
      tiers: Object.fromEntries(Object.entries(tiers).map(([name, model]) => [name, { provider: 'google', model }])),
      users: [{ id: 'alice', role: 'member' }],
      apiKeys: [alice.entry],
    }],
  });
  return { gw, fake, key: alice.key };
}
