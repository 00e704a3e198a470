import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/start-worker.js';
import type { RequestScan, TenantDlp } from './tenant-dlp.js';
import type { ScanJob, ScanReply, ScanRoute } from './scan-worker.js';

/**
 * DLP scans of large request bodies on worker threads. Hostile but linear input costs ~1 s of
 * CPU per MB; on the event loop that time is taken from every other tenant's requests. Above a
 * size threshold the dlp stage hands the scan to this pool instead: the event loop only copies
 * the body to a worker and the result back. Queues are per tenant and served round-robin, so a
 * tenant flooding the pool waits behind its own scans, not in front of another tenant's.
 * Workers start on first use, and stop after a minute idle (unref'd: they never hold the process).
 */

const IDLE_STOP_MS = 60_000;

interface Pending {
  readonly job: ScanJob;
  resolve(result: RequestScan): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  current: Pending | undefined;
}

const fingerprints = new WeakMap<TenantDlp, string>();

function fingerprintOf(dlp: TenantDlp): string {
  let value = fingerprints.get(dlp);
  if (value === undefined) {
    value = JSON.stringify(dlp.config);
    fingerprints.set(dlp, value);
  }
  return value;
}

/** A pool of DLP scan workers (one per process is enough: see {@link sharedScanPool}). */
export class ScanPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  /** Per-tenant FIFO queues; `#order` is the round-robin of tenants with work waiting. */
  readonly #queues = new Map<string, Pending[]>();
  #order: string[] = [];
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  /** Scans `body` with `dlp` on a worker; the same answer as `dlp.scanRequest(route, body)`. */
  scan(dlp: TenantDlp, route: ScanRoute, body: Readonly<Record<string, unknown>>): Promise<RequestScan> {
    return new Promise((resolve, reject) => {
      const job: ScanJob = { id: this.#nextId++, tenantId: dlp.tenantId, fingerprint: fingerprintOf(dlp), config: dlp.config, route, body: body as Record<string, unknown> };
      let queue = this.#queues.get(job.tenantId);
      if (!queue) {
        queue = [];
        this.#queues.set(job.tenantId, queue);
        this.#order.push(job.tenantId);
      }
      queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  /** The next job, round-robin over tenants. */
  #take(): Pending | undefined {
    const tenant = this.#order.shift();
    if (tenant === undefined) return undefined;
    const queue = this.#queues.get(tenant) as Pending[];
    const next = queue.shift();
    if (queue.length === 0) this.#queues.delete(tenant);
    else this.#order.push(tenant);
    return next;
  }

  #dispatch(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    while (this.#order.length > 0) {
      let slot = this.#slots.find((s) => s.current === undefined);
      if (!slot && this.#slots.length < this.#size) slot = this.#spawn();
      if (!slot) return;
      const next = this.#take() as Pending;
      slot.current = next;
      slot.worker.ref();
      slot.worker.postMessage(next.job);
    }
    if (this.#slots.every((s) => s.current === undefined)) {
      this.#idleTimer = setTimeout(() => this.close(), IDLE_STOP_MS);
      this.#idleTimer.unref();
    }
  }

  #spawn(): Slot {
    const worker = startModuleWorker(import.meta.url, 'scan-worker');
    const slot: Slot = { worker, current: undefined };
    worker.unref();
    worker.on('message', (reply: ScanReply) => {
      const pending = slot.current;
      slot.current = undefined;
      worker.unref();
      if (pending && pending.job.id === reply.id) {
        if ('error' in reply) pending.reject(new Error(`DLP scan worker: ${reply.error}`));
        else pending.resolve(reply.result);
      }
      this.#dispatch();
    });
    const fail = (err: Error): void => {
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      slot.current?.reject(err);
      slot.current = undefined;
      this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.#slots.includes(slot)) fail(new Error(`DLP scan worker exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }

  /** Stops the workers (queued scans stay queued and start new workers when dispatched again). */
  close(): void {
    for (const slot of this.#slots.splice(0)) {
      if (slot.current) this.#requeue(slot.current);
      void slot.worker.terminate();
    }
  }

  #requeue(pending: Pending): void {
    const queue = this.#queues.get(pending.job.tenantId) ?? [];
    if (queue.length === 0) {
      this.#queues.set(pending.job.tenantId, queue);
      this.#order.unshift(pending.job.tenantId);
    }
    queue.unshift(pending);
  }
}

let shared: ScanPool | undefined;

/** The process-wide pool (created on first call with `size` workers at most). */
export function sharedScanPool(size: number): ScanPool {
  shared ??= new ScanPool(size);
  return shared;
}
