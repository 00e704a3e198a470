import { S3Client, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey } from '@aws-sdk/client-s3';
import type { AuditConfig } from '../config/schema.js';
import { Secret } from '../identity/secret.js';
import type { AuditSink } from './sink.js';
import { BATCH_SUFFIX } from './batch-layout.js';

export type S3SinkConfig = NonNullable<AuditConfig['s3']>;

/** Normalises the optional key prefix: `""` or `something/`, never a traversal. */
export function normalizePrefix(prefix: string): string {
  const parts = prefix.split('/');
  while (parts[0] === '') parts.shift();
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0) return '';
  if (parts.some((part) => part === '..' || part === '.' || part === '')) {
    throw new TypeError('audit.s3.prefix must not contain empty, "." or ".." segments');
  }
  return `${parts.join('/')}/`;
}

/**
 * Audit records as objects in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …) at
 * `{prefix}{key}`. A put of the same key is an overwrite with identical bytes, which makes
 * redelivery after a timeout or restart harmless. Credentials come from the config or, when it
 * names none, from the SDK's standard chain (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …).
 */
export class S3Sink implements AuditSink {
  readonly kind = 's3' as const;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(config: S3SinkConfig) {
    this.#bucket = config.bucket;
    this.#prefix = normalizePrefix(config.prefix);
    const keyId = config.accessKeyId ? new Secret(config.accessKeyId) : undefined;
    const secret = config.secretAccessKey ? new Secret(config.secretAccessKey) : undefined;
    this.#client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      // Our deliverer retries with its own backoff; one SDK retry covers a dropped connection.
      maxAttempts: 2,
      // Checksums only where S3 requires them: many S3-compatible servers reject the newer
      // default CRC32 trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000 },
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(keyId && secret ? { credentials: async () => ({ accessKeyId: keyId.reveal(), secretAccessKey: secret.reveal() }) } : {}),
    });
  }

  async put(key: string, body: string): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key, Body: body, ContentType: key.endsWith(BATCH_SUFFIX) ? 'application/x-ndjson' : 'application/json' }),
    );
  }

  async sync(): Promise<void> {
    // A PUT that returned 200 is already durable in S3.
  }

  async list(prefix: string): Promise<string[]> {
    const full = this.#prefix + prefix;
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: full, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key?.startsWith(full)) names.push(object.Key.slice(full.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
      return out.Body ? await out.Body.transformToString('utf8') : undefined;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return undefined;
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
