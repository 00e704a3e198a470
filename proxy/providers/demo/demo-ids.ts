import { randomBytes } from 'node:crypto';

/** A provider-looking id (`chatcmpl-…`, `msg_…`, `resp_…`, `call_…`). */
export function demoId(prefix: string): string {
  return prefix + randomBytes(12).toString('hex');
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
