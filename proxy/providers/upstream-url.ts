/** A provider base URL split once into what undici needs: the pool key and the path prefix. */
interface ParsedBase {
  readonly origin: string;
  /** Path without trailing slash ('' for the root). */
  readonly basePath: string;
  /** Query string including '?' (Azure's `api-version`), or ''. */
  readonly query: string;
}

// Base URLs come from config (bounded), so this cache never grows with traffic.
const cache = new Map<string, ParsedBase>();

function parseBase(baseUrl: string): ParsedBase {
  let parsed = cache.get(baseUrl);
  if (parsed) return parsed;
  const url = new URL(baseUrl);
  let basePath = url.pathname;
  while (basePath.endsWith('/')) basePath = basePath.slice(0, -1);
  parsed = Object.freeze({ origin: url.origin, basePath, query: url.search });
  cache.set(baseUrl, parsed);
  return parsed;
}

/**
 * Joins a base URL and an endpoint path the way the official SDKs do
 * (`https://api.openai.com/v1` + `/chat/completions`), keeping a query string of the base.
 */
export function upstreamTarget(baseUrl: string, endpointPath: string): { origin: string; path: string } {
  const base = parseBase(baseUrl);
  return { origin: base.origin, path: base.basePath + endpointPath + base.query };
}

/**
 * Anthropic's SDK convention is a base URL without `/v1` (`https://api.anthropic.com`); a
 * base URL that already ends in `/v1` is accepted too, so both spellings reach `/v1/messages`.
 */
export function anthropicTarget(baseUrl: string, endpointPath: string): { origin: string; path: string } {
  const base = parseBase(baseUrl);
  const prefix = base.basePath.endsWith('/v1') ? base.basePath : base.basePath + '/v1';
  return { origin: base.origin, path: prefix + endpointPath + base.query };
}
