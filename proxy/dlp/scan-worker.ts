import { parentPort } from 'node:worker_threads';
import type { DlpConfig } from '../config/schema.js';
import { compileTenantDlp, type RequestScan, type TenantDlp } from './tenant-dlp.js';

/** The route kinds a request scan knows (the dlp library's view, without importing the pipeline). */
export type ScanRoute = Parameters<TenantDlp['scanRequest']>[0];

/**
 * A DLP scan worker (see scan-pool.ts): compiles each tenant's detectors once per settings
 * fingerprint and scans request bodies off the gateway's event loop. RE2 is a context-aware
 * addon, so it loads in worker threads.
 */

export interface ScanJob {
  readonly id: number;
  readonly tenantId: string;
  readonly fingerprint: string;
  readonly config: DlpConfig;
  readonly route: ScanRoute;
  readonly body: Record<string, unknown>;
}

export type ScanReply = { readonly id: number; readonly result: RequestScan } | { readonly id: number; readonly error: string };

const compiled = new Map<string, TenantDlp>();
const MAX_COMPILED = 256;

function tenantDlp(job: ScanJob): TenantDlp {
  const key = `${job.tenantId}\u0000${job.fingerprint}`;
  let dlp = compiled.get(key);
  if (!dlp) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    dlp = compileTenantDlp(job.tenantId, job.config);
    compiled.set(key, dlp);
  }
  return dlp;
}

parentPort?.on('message', (job: ScanJob) => {
  let reply: ScanReply;
  try {
    reply = { id: job.id, result: tenantDlp(job).scanRequest(job.route, job.body) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
