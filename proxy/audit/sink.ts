/**
 * Where delivered audit records live. Keys come from `audit-key.ts` only
 * (`audit/{tenant}/{yyyy}/{mm}/{dd}/{logId}.json`), already validated.
 */
export interface AuditSink {
  readonly kind: 'file' | 's3';
  /** Stores `body` under `key`. Idempotent: a retry writes the same key with the same bytes. */
  put(key: string, body: string): Promise<void>;
  /** Makes every `put` that resolved durable (file sink: fsync touched directories). */
  sync(): Promise<void>;
  /** Names (last key segment) of the objects directly under `prefix` (ending in `/`). */
  list(prefix: string): Promise<string[]>;
  /** The body stored at `key`, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
