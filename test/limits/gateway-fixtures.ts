import { makeKey } from '../helpers/gateway.js';
import type { FakeProvider } from '../fake-provider/fake-provider.js';

/** One tenant (as in YAML) with key `key-<id>` for its user alice and a `fast` tier on the fake provider. */
export function limitsTenant(fake: FakeProvider, id: string, fields: Record<string, unknown>): { tenant: Record<string, unknown>; key: string } {
  const alice = makeKey(`key-${id}`, 'alice');
  return {
    key: alice.key,
    tenant: {
      id,
      providers: { openai: { apiKey: `sk-${id}-test`, baseUrl: fake.openaiBaseUrl } },
      tiers: { fast: { provider: 'openai', model: 'gpt-4o-mini' } },
      users: [{ id: 'alice', role: 'member' }],
      apiKeys: [alice.entry],
      ...fields,
    },
  };
}

/** A gateway config (as in YAML) around tenants; gpt-4o-mini costs $20 per 1M output tokens and nothing for input, so max_tokens 1000 is a worst case of exactly $0.02. */
export function gatewayConfig(tenants: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  // These tests count exact admissions under bursts of hundreds of concurrent requests. On a busy
  // machine the event-loop-delay shedder may rightly answer some with 503 `overloaded`; that
  // behaviour has its own tests (test/server/overload-guard.test.ts), so it is off here.
  return { logging: { level: 'warn' }, pricing: { 'gpt-4o-mini': { input: 0, output: 20 } }, overload: { maxEventLoopDelayMs: 0 }, tenants, ...extra };
}

/** A gateway config with the single tenant acme. */
export function limitsGatewayConfig(fake: FakeProvider, tenant: Record<string, unknown>, extra: Record<string, unknown> = {}): { raw: Record<string, unknown>; key: string } {
  const acme = limitsTenant(fake, 'acme', tenant);
  return { raw: gatewayConfig([acme.tenant], extra), key: acme.key };
}

export interface ChatResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly sentAt: number;
  readonly doneAt: number;
}

/** POST /v1/chat/completions with the key, reading the whole response (stream or not). */
export async function chat(baseURL: string, key: string, body: Record<string, unknown>, clock: () => number): Promise<ChatResult> {
  const sentAt = clock();
  const res = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'hello' }], ...body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text, sentAt, doneAt: clock() };
}

/** The `usage` object of a streamed chat completion (the include_usage chunk). */
export function streamedUsage(body: string): { prompt_tokens: number; completion_tokens: number } | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const chunk = JSON.parse(line.slice(6)) as { usage?: { prompt_tokens: number; completion_tokens: number } | null };
    if (chunk.usage) return chunk.usage;
  }
  return undefined;
}
