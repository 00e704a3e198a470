import type { IncomingHttpHeaders } from 'node:http';

/**
 * Client headers copied upstream. An allowlist, not a denylist: the client's credentials
 * (`authorization`, `x-api-key`), hop-by-hop headers, cookies, `x-forwarded-*`, SDK telemetry
 * (`x-stainless-*`) and account-scoping headers (`openai-organization`, `openai-project`,
 * which would not match the tenant's key) never leave the gateway. What is kept changes
 * the provider's behaviour in ways the client legitimately chose.
 */
const OPENAI_FORWARDED = ['openai-beta', 'idempotency-key'] as const;
const ANTHROPIC_FORWARDED = ['anthropic-beta', 'idempotency-key'] as const;

function copy(names: readonly string[], from: IncomingHttpHeaders, to: Record<string, string>): void {
  for (const name of names) {
    const value = from[name];
    if (typeof value === 'string' && value.length > 0 && value.length <= 1024) to[name] = value;
    else if (Array.isArray(value) && value.length > 0) to[name] = value.join(',');
  }
}

/** Copies the OpenAI-route headers the gateway forwards. */
export function copyOpenAiClientHeaders(from: IncomingHttpHeaders, to: Record<string, string>): void {
  copy(OPENAI_FORWARDED, from, to);
}

/** Copies the Anthropic-route headers the gateway forwards. */
export function copyAnthropicClientHeaders(from: IncomingHttpHeaders, to: Record<string, string>): void {
  copy(ANTHROPIC_FORWARDED, from, to);
}

/** The User-Agent the gateway presents upstream (the client's own is not forwarded). */
export const GATEWAY_USER_AGENT = 'workjet-gateway/0.1';
