import type { ConfigIssue } from './config-path.js';

/**
 * Thrown when a config file cannot be used. `issues` holds every problem found (not only the
 * first); the message lists them one per line as `path: message`.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  /** The file the issues were found in, when there was one. */
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
    this.name = 'ConfigError';
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
    this.file = file;
  }
}
