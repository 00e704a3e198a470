import type { DlpConfig } from '../config/schema.js';
import { compileTenantDlp, type TenantDlp } from '../dlp/tenant-dlp.js';

/**
 * What a system prompt must pass before it is published. Publishing is the one place data
 * leaves a tenant, so two scans run: the tenant's own DLP (a `block` match refuses, a `redact`
 * match is redacted in the published copy, as it would be in a forwarded prompt) and, whatever
 * the tenant configured, every built-in secret detector (a credential in a shared prompt is
 * never what the author meant to share).
 */

const SECRET_DETECTORS = [
  'private_key',
  'jwt',
  'aws_access_key_id',
  'aws_secret_access_key',
  'openai_api_key',
  'anthropic_api_key',
  'github_token',
  'slack_token',
  'google_api_key',
  'stripe_key',
  'generic_secret',
] as const;

const SECRETS_ONLY: DlpConfig = { detectors: Object.fromEntries(SECRET_DETECTORS.map((d) => [d, 'block'])), custom: [], responses: 'off' };
let secretScanner: TenantDlp | undefined;

export type PublishCheck = { readonly ok: true; readonly systemPrompt: string } | { readonly ok: false; readonly blockedBy: readonly string[] };

/** Scans `systemPrompt` for publishing: the detectors that block it, or the text to publish (redacted where the tenant redacts). */
export function checkPublishable(tenantDlp: TenantDlp, systemPrompt: string): PublishCheck {
  secretScanner ??= compileTenantDlp('_publish', SECRETS_ONLY);
  const asChat = { messages: [{ role: 'system', content: systemPrompt }] };
  const own = tenantDlp.scanRequest('chat', asChat);
  const secrets = secretScanner.scanRequest('chat', asChat);
  const blockedBy = [...new Set([...own.blockedBy, ...secrets.blockedBy])].sort();
  if (blockedBy.length > 0) return { ok: false, blockedBy };
  const redacted = own.redactedBody?.['messages'];
  if (Array.isArray(redacted)) {
    const first: unknown = redacted[0];
    const content = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['content'] : undefined;
    if (typeof content === 'string') return { ok: true, systemPrompt: content };
  }
  return { ok: true, systemPrompt };
}
