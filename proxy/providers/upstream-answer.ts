import type { ClientApi } from '../errors/render.js';
import type { UpstreamRequest } from './provider-adapter.js';
import { isObject, tryParseJson } from './json-fields.js';

/**
 * What the gateway lets through of a provider's answer. A provider (or an OpenAI-compatible
 * proxy in front of one) may echo the request headers back, in an error body or in a completion;
 * those headers carry the tenant's provider key, which is write-only. So every byte that came
 * from upstream and goes to the client is scrubbed of the credential values the gateway sent,
 * an error body is re-rendered in the client's error shape from the few fields worth keeping,
 * and an upstream header is copied only when it is a plain id.
 */

/** Header names whose values are credentials (exact names, and any name containing these words). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie']);
const CREDENTIAL_WORDS = ['key', 'token', 'secret', 'auth', 'password'];
/** Shorter values are not worth scrubbing (and would mangle ordinary text). */
const MIN_SECRET_LENGTH = 8;
export const SCRUBBED = '[REDACTED:credential]';

function looksLikeCredentialName(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_WORDS.some((word) => lower.includes(word));
}

function addSecret(out: Set<string>, value: string | undefined): void {
  if (value === undefined) return;
  const trimmed = value.trim();
  if (trimmed.length >= MIN_SECRET_LENGTH) out.add(trimmed);
  // "Bearer sk-…": the token alone is the secret too.
  const space = trimmed.indexOf(' ');
  if (space > 0) addSecret(out, trimmed.slice(space + 1));
}

/** The credential values an upstream request carried: credential-named headers and query parameters. Longest first. */
export function upstreamSecrets(request: Pick<UpstreamRequest, 'headers' | 'path'>): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(request.headers)) if (looksLikeCredentialName(name)) addSecret(out, value);
  const query = request.path.indexOf('?');
  if (query >= 0) {
    for (const [name, value] of new URLSearchParams(request.path.slice(query + 1))) if (looksLikeCredentialName(name)) addSecret(out, value);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced (also in its JSON-escaped spelling, the way an echo writes it). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.replaceAll(secret, SCRUBBED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && out.includes(escaped)) out = out.replaceAll(escaped, SCRUBBED);
  }
  return out;
}

/** A provider error, reduced to what is rendered to the client. */
export interface UpstreamErrorFields {
  readonly status: number;
  readonly message: string;
  /** The provider's error type, when it is a plain identifier. */
  readonly type: string | undefined;
  readonly code: string | null;
  readonly param: string | null;
}

const MAX_MESSAGE = 2000;
const MAX_ID = 128;

/** True when `value` contains a secret or is a long enough piece of one. */
function leaksSecret(value: string, secrets: readonly string[]): boolean {
  return secrets.some((s) => value.includes(s) || (value.length >= MIN_SECRET_LENGTH && s.includes(value)));
}

/** True for a short identifier-like string: letters, digits and `_ . - :` only (no JS RegExp on upstream data). */
function isPlainId(value: string, max: number): boolean {
  if (value.length === 0 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45 || c === 58;
    if (!ok) return false;
  }
  return true;
}

function plainOrNull(value: unknown, max = 64): string | null {
  return typeof value === 'string' && isPlainId(value, max) ? value : null;
}

/**
 * The fields of an upstream error body (OpenAI `{error:{message,type,code,param}}`, Anthropic
 * `{type:"error",error:{type,message}}`, or any `{message}`), scrubbed of `secrets`. A body that
 * is not JSON (an HTML error page, a proxy's text) keeps none of its text.
 */
export function upstreamErrorFields(status: number, provider: string, raw: string, secrets: readonly string[]): UpstreamErrorFields {
  const parsed = tryParseJson(raw);
  const error = isObject(parsed) && isObject(parsed['error']) ? parsed['error'] : isObject(parsed) ? parsed : undefined;
  const message = error !== undefined && typeof error['message'] === 'string' ? error['message'] : `Provider '${provider}' answered HTTP ${status}.`;
  const scrubbed = scrubSecrets(message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) + '…' : message, secrets);
  const type = plainOrNull(error?.['type']);
  // A provider key is identifier-like, so the kept ids are checked against the secrets too.
  const safe = (value: string | null): string | null => (value === null || leaksSecret(value, secrets) ? null : value);
  return { status, message: scrubbed, type: safe(type) ?? undefined, code: safe(plainOrNull(error?.['code'])), param: safe(plainOrNull(error?.['param'], 256)) };
}

/** The default error type of a client API for an upstream 4xx status (when the provider sent none). */
function defaultType(api: ClientApi, status: number): string {
  if (api === 'openai') return 'invalid_request_error';
  return ANTHROPIC_TYPES[status] ?? 'invalid_request_error';
}

/** Anthropic's error type per status (WIRE.md §6), for answers that did not come from Anthropic. */
const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  401: 'authentication_error', 402: 'billing_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error',
};

/** An upstream 4xx error in the client's API shape, with the provider's status, type, code and param kept. */
export function renderUpstreamError(api: ClientApi, fields: UpstreamErrorFields, requestId: string): string {
  const type = fields.type ?? defaultType(api, fields.status);
  if (api === 'anthropic') return JSON.stringify({ type: 'error', error: { type, message: fields.message }, request_id: requestId });
  return JSON.stringify({ error: { message: fields.message, type, param: fields.param, code: fields.code } });
}

/** The provider's request id when it is a plain id that is none of the secrets; else undefined (not copied). */
export function plainUpstreamRequestId(value: string | undefined, secrets: readonly string[]): string | undefined {
  if (value === undefined || !isPlainId(value, MAX_ID)) return undefined;
  return leaksSecret(value, secrets) ? undefined : value;
}
