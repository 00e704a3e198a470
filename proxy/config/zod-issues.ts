import type { z } from 'zod';
import { formatConfigPath, type ConfigIssue, type PathSegment } from './config-path.js';

function segments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
}

/**
 * Turns zod's issues into config issues users can act on: paths in `tenants[1].tiers.fast`
 * form, one issue per unknown field (named by its own path), and "required" for a missing
 * value. Messages never carry the offending value (it may be a secret).
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = segments(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatConfigPath([...path, key]), message: 'unknown field' });
    } else if (issue.code === 'invalid_key') {
      const reasons = issue.issues.map((inner) => inner.message).join('; ');
      out.push({ path: formatConfigPath(path), message: `invalid name: ${reasons}` });
    } else if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      out.push({ path: formatConfigPath(path), message: `required (${issue.expected})` });
    } else {
      out.push({ path: formatConfigPath(path), message: issue.message });
    }
  }
  return out;
}
