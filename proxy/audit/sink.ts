/**
 * Where delivered audit records live. Keys come from `audit-key.ts` and `batch-layout.ts` only
 * (`audit/{tenant}/{yyyy}/{mm}/{dd}/{logId}.json` or `…/{first}_{last}.ndjson`), already validated.
 */
export interface AuditSink {
  readonly kind: 'file' | 's3';
  /** Stores `body` under `key`. Idempotent: a retry writes the same key with the same bytes. */
  put(key: string, body: string): Promise<void>;
  /** Makes every `put` that resolved durable, in one step (file sink: syncfs or an fdatasync per file, then their directories). Throws: put them again. */
  sync(): Promise<void>;
  /** Names (last key segment) of the objects directly under `prefix` (ending in `/`). */
  list(prefix: string): Promise<string[]>;
  /** The body stored at `key`, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
