import { ConfigError } from '../../proxy/config/config-error.js';

/** The `path: message` lines of the ConfigError `fn` throws; fails when it throws nothing. */
export function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}
