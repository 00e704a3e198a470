/**
 * Config paths as users read them in errors: `tenants[1].tiers.fast.provider`. Array indexes
 * are bracketed; a key that is not a plain word (`claude-3.5`, `a b`) is quoted so the path
 * stays unambiguous.
 */
export type PathSegment = string | number;

/** One issue found in a config file: where (`tenants[0].id`) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

function isPlainKey(key: string): boolean {
  if (key.length === 0) return false;
  for (const ch of key) {
    const c = ch.charCodeAt(0);
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || ch === '_' || ch === '-';
    if (!word) return false;
  }
  return true;
}

/** Formats path segments as `a.b[2].c`; the empty path is `(root)`. */
export function formatConfigPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (isPlainKey(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}
