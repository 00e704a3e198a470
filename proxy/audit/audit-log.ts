import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import RE2 from 're2';
import type { AuditConfig } from '../config/schema.js';
import type { TenantScope } from '../identity/tenant-scope.js';
import { GatewayError } from '../errors/gateway-error.js';
import { buildAuditRecord, buildEventRecord, type AuditEventInput, type AuditExtras, type AuditRecord, type AuditRecordDraft, type RequestFacts } from './audit-record.js';
import { HashChain } from './hash-chain.js';
import { Spool } from './spool.js';
import { Deliverer } from './deliverer.js';
import { FileSink } from './file-sink.js';
import { S3Sink } from './s3-sink.js';
import type { AuditSink } from './sink.js';
import { createAuditReader, type AuditReader } from './audit-reader.js';
import { recordKey } from './audit-key.js';

/**
 * The audit log: builds records, chains them, spools them durably and delivers them to the
 * sink in the background. With `durability: spool` (default) `append` resolves only once the
 * record is fsync'd in the local spool, so a crash after the response loses nothing; with
 * `async` it resolves at once. When the spool cannot be written, `onSpoolFailure: reject`
 * (default) rejects with `audit_unavailable` (the gateway answers 503), `serve` logs and goes on.
 */

export interface AuditStats {
  readonly sink: AuditSink['kind'];
  readonly durability: AuditConfig['durability'];
  readonly instance: string;
  readonly appended: number;
  readonly delivered: number;
  /** Records spooled but not yet confirmed by the sink. */
  readonly pendingRecords: number;
  readonly spoolBytes: number;
  readonly spoolSegments: number;
  /** Age of the oldest record the sink has not confirmed; 0 when caught up. */
  readonly oldestUndeliveredAgeMs: number;
  readonly groupCommits: number;
  readonly appendFailures: number;
  readonly deliveryFailedAttempts: number;
  readonly lastDeliveryError: string | null;
  /** Unreadable spool lines skipped (torn tails of interrupted writes). */
  readonly corruptSpoolLines: number;
}

export interface AuditLog {
  readonly instance: string;
  readonly reader: AuditReader;
  /** Chains and spools a record. Rejects with GatewayError `audit_unavailable` per `onSpoolFailure`. */
  append(draft: AuditRecordDraft): Promise<AuditRecord>;
  /** Builds the record of a model request from its context and appends it. */
  recordRequest(facts: RequestFacts, extras?: Omit<AuditExtras, 'includeContent'>): Promise<AuditRecord>;
  /**
   * Records an admin action or system event (`audit.read`, `budget.alert`, …) of a tenant; a null
   * scope (unidentified admin caller) records into the operator partition `_unauthenticated`.
   */
  appendEvent(scope: TenantScope | null, event: AuditEventInput): Promise<AuditRecord>;
  /**
   * True when an answer need not wait for its record: `durability: async` while the spool
   * works. False with `durability: spool`, and in async mode while the spool is failing and
   * `onSpoolFailure: reject` must be able to refuse the request.
   */
  answersBeforeRecord(): boolean;
  stats(): AuditStats;
  /** Commits pending appends, delivers what it can within the drain timeout, stops the deliverer. */
  close(): Promise<void>;
}

export interface CreateAuditLogOptions {
  readonly config: AuditConfig;
  readonly logger: Logger;
  /** Chain instance name (default `WORKJET_INSTANCE_ID`, else `gw`); a random per-start suffix is appended. */
  readonly instanceId?: string;
  /** How often spool stats are logged (default 60 s; 0 disables). */
  readonly statsIntervalMs?: number;
  /** How long `close` keeps delivering before leaving the rest to the next start (default 5 s). */
  readonly drainTimeoutMs?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly maxSegmentBytes?: number;
}

const instanceRe = new RE2('^[A-Za-z0-9._-]{1,64}$');

function createSink(config: AuditConfig): AuditSink {
  if (config.sink === 's3') {
    if (!config.s3) throw new Error('audit.s3: required when audit.sink is "s3"');
    return new S3Sink(config.s3);
  }
  return new FileSink(config.dir);
}

/** Opens the spool (delivering leftovers of an earlier process) and starts the deliverer. */
export async function createAuditLog(options: CreateAuditLogOptions): Promise<AuditLog> {
  const { config } = options;
  const logger = options.logger.child({ component: 'audit' });
  // A fresh suffix per process start: a restarted instance begins new chains instead of
  // reusing sequence numbers of the chains its previous life wrote.
  const instance = `${options.instanceId ?? process.env.WORKJET_INSTANCE_ID ?? 'gw'}-${randomBytes(4).toString('hex')}`;
  if (!instanceRe.test(instance)) throw new Error('audit instance id (WORKJET_INSTANCE_ID): letters, digits and . _ - only (max 55)');
  const sink = createSink(config);
  const spool = await Spool.open({
    dir: join(resolve(config.dir), 'spool'),
    ...(options.maxSegmentBytes ? { maxSegmentBytes: options.maxSegmentBytes } : {}),
  });
  const leftovers = spool.segments().reduce((n, s) => n + s.lines, 0);
  if (leftovers > 0) logger.info({ records: leftovers }, 'audit spool: delivering records left by an earlier process');
  const deliverer = new Deliverer({
    spool,
    sink,
    logger,
    layout: config.layout,
    batchFlushMs: config.batchFlushMs,
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
  });
  await deliverer.start();

  const chain = new HashChain(instance);
  const reject = config.onSpoolFailure === 'reject';
  let appended = 0;
  let lastSpoolFailed = false;

  // One failed commit rejects its whole batch with the same error: log it once, not per record.
  const loggedErrors = new WeakSet<object>();
  const onSpoolError = (err: unknown, record: AuditRecord): void => {
    lastSpoolFailed = true;
    if (typeof err === 'object' && err !== null) {
      if (loggedErrors.has(err)) return;
      loggedErrors.add(err);
    }
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
    logger.error(
      { code, tenant: record.tenant, logId: record.id, onSpoolFailure: config.onSpoolFailure },
      reject ? 'audit spool write failed: refusing requests that cannot be audited (503)' : 'audit spool write failed: serving without an audit record (onSpoolFailure: serve)',
    );
  };

  async function append(draft: AuditRecordDraft): Promise<AuditRecord> {
    // Refuse a record that could not be stored under its tenant's key before it enters the chain.
    recordKey(draft.tenant, draft.id);
    // Chain and spool order must match: link synchronously, then enqueue in the same tick.
    const { record, json } = chain.linkWithJson(draft);
    appended++;
    const committed = spool.append(record, json).then(
      () => {
        lastSpoolFailed = false;
      },
      (err: unknown) => {
        onSpoolError(err, record);
        if (reject) throw new GatewayError('audit_unavailable', 'The audit log is unavailable, so the request was not served.', { cause: err });
      },
    );
    // In async mode still wait while the spool is failing, so `reject` can refuse requests.
    if (config.durability === 'spool' || (reject && lastSpoolFailed)) await committed;
    else committed.catch(() => undefined);
    return record;
  }

  const stats = (): AuditStats => {
    const s = spool.stats();
    const d = deliverer.stats();
    const spooledLines = spool.segments().reduce((n, seg) => n + seg.lines, 0);
    return {
      sink: sink.kind,
      durability: config.durability,
      instance,
      appended,
      delivered: d.delivered,
      pendingRecords: Math.max(0, spooledLines - d.deliveredInCurrent) + spool.pendingAppends,
      spoolBytes: s.bytes,
      spoolSegments: s.segments,
      oldestUndeliveredAgeMs: d.oldestPendingAt === null ? 0 : Math.max(0, Date.now() - d.oldestPendingAt),
      groupCommits: s.commits,
      appendFailures: s.appendFailures,
      deliveryFailedAttempts: d.failedAttempts,
      lastDeliveryError: d.lastError,
      corruptSpoolLines: d.corruptLines,
    };
  };

  const statsInterval = options.statsIntervalMs ?? 60_000;
  const timer =
    statsInterval > 0
      ? setInterval(() => {
          const current = stats();
          const busy = current.pendingRecords > 0 || current.appendFailures > 0;
          logger[busy ? 'info' : 'debug']({ ...current }, 'audit spool stats');
        }, statsInterval)
      : undefined;
  timer?.unref();

  let closed: Promise<void> | undefined;
  return {
    instance,
    reader: createAuditReader(sink),
    append,
    recordRequest: (facts, extras) => append(buildAuditRecord(facts, { ...extras, includeContent: config.includeContent })),
    appendEvent: (scope, event) => append(buildEventRecord(scope, event)),
    answersBeforeRecord: () => config.durability === 'async' && !(reject && lastSpoolFailed),
    stats,
    close() {
      closed ??= (async () => {
        if (timer) clearInterval(timer);
        await spool.close();
        const drained = await deliverer.drain(options.drainTimeoutMs ?? 5_000);
        await deliverer.stop();
        await spool.release();
        await sink.close();
        if (!drained) logger.warn({ pendingRecords: stats().pendingRecords }, 'audit log closed with undelivered records; the next start delivers them');
      })();
      return closed;
    },
  };
}
