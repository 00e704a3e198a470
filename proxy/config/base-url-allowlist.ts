/**
 * Provider base URLs and the operator's allowlist (`upstream.allowedBaseUrls`). Matching is
 * done on parsed URLs, never on string prefixes, so `https://api.openai.com.evil.example`
 * does not pass an allowlist entry `https://api.openai.com`.
 */

function parseHttpUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http(s) URL, not ${url.protocol}`;
  // Credentials in a URL end up in logs and error messages; keys belong in `apiKey`.
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (put the key in apiKey)';
  return url;
}

function trimSlash(pathname: string): string {
  return pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
}

/** Why an allowlist entry is unusable, or null. */
export function allowlistEntryProblem(entry: string): string | null {
  const parsed = parseHttpUrl(entry);
  return typeof parsed === 'string' ? parsed : null;
}

/** True when `url` is on the same origin as an entry and under its path (segment-wise). */
export function isBaseUrlAllowed(url: URL, allowlist: readonly string[]): boolean {
  const path = trimSlash(url.pathname);
  return allowlist.some((entry) => {
    const allowed = parseHttpUrl(entry);
    if (typeof allowed === 'string' || allowed.origin !== url.origin) return false;
    const prefix = trimSlash(allowed.pathname);
    return prefix === '' || path === prefix || path.startsWith(prefix + '/');
  });
}

/**
 * Why a provider base URL is not acceptable, or null. An empty allowlist accepts any http(s)
 * URL (the operator wrote it in the YAML); a non-empty one must contain a matching entry.
 */
export function baseUrlProblem(value: string, allowlist: readonly string[]): string | null {
  const parsed = parseHttpUrl(value);
  if (typeof parsed === 'string') return parsed;
  if (allowlist.length > 0 && !isBaseUrlAllowed(parsed, allowlist)) return `${parsed.origin} is not in upstream.allowedBaseUrls`;
  return null;
}
