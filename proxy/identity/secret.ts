import { inspect } from 'node:util';

/**
 * A credential that must never reach a log, an error or an audit record. It prints as
 * `[REDACTED]` through every path that stringifies it; only `reveal()` gives the value,
 * and only the code that puts it on the wire should call that.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[REDACTED]';
  }
  toJSON(): string {
    return '[REDACTED]';
  }
  [inspect.custom](): string {
    return '[REDACTED]';
  }
}
