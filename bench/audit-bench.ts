import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAuditLog } from '../proxy/audit/audit-log.js';
import type { AuditEventInput } from '../proxy/audit/audit-record.js';
import type { AuditConfig } from '../proxy/config/schema.js';
import { mintTenantScope } from '../proxy/identity/tenant-scope.js';

/**
 * `npm run bench:audit`: appends/s and latency of `AuditLog.append` with the durable spool
 * (default: each append waits for its group-committed fdatasync) at 1 and 64 appends in flight,
 * next to `async` durability (no wait) as the no-durability reference. The file sink delivers in
 * the background during the run, as in production; its rate (records/s from start until the
 * backlog drained) is reported too, for one object per record and (64 in flight) for the batched
 * layout. `AUDIT_BENCH_SECONDS` sets each cell's length.
 */

const SECONDS = Number(process.env.AUDIT_BENCH_SECONDS ?? 3);
const scope = mintTenantScope('bench');
// A realistic model.invoke record: principal, decision, findings, usage.
const event: AuditEventInput = {
  action: 'model.invoke',
  requestId: 'req_0123456789abcdef',
  route: '/v1/chat/completions',
  status: 200,
  latencyMs: 812.4,
  costUsd: 0.000123,
  decision: { id: 'dec_0123456789', allow: true, reasons: ['role member may invoke tier fast'], wouldDeny: false },
  details: { tier: 'fast', provider: 'openai', model: 'gpt-4o-mini', inputTokens: 812, outputTokens: 230 },
};

interface Cell {
  durability: AuditConfig['durability'];
  layout: AuditConfig['layout'];
  inFlight: number;
  appendsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  fsyncBatches: number;
  /** Records/s the file sink took from the spool, from start until the backlog drained. */
  deliveredPerSec: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function runCell(durability: AuditConfig['durability'], inFlight: number, layout: AuditConfig['layout'] = 'records'): Promise<Cell> {
  const dir = await mkdtemp(join(tmpdir(), 'wj-audit-bench-'));
  const log = await createAuditLog({
    config: { sink: 'file', dir, includeContent: false, durability, onSpoolFailure: 'reject', groupCommitMs: 2, layout, batchFlushMs: 1000 },
    logger: pino({ level: 'warn' }),
    statsIntervalMs: 0,
  });
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await log.appendEvent(scope, event);
        latencies.push(performance.now() - t0);
        // A request does I/O between records; without this yield an `async` append loop (which
        // resolves without touching the event loop) would starve the spool's commits.
        await new Promise((r) => setImmediate(r));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const commits = log.stats().groupCommits;
  const drainDeadline = performance.now() + 120_000;
  while (log.stats().pendingRecords > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  const deliveredPerSec = Math.round(log.stats().delivered / ((performance.now() - started) / 1000));
  await log.close();
  await rm(dir, { recursive: true, force: true });
  const sorted = Float64Array.from(latencies).sort();
  return {
    durability,
    layout,
    inFlight,
    appendsPerSec: Math.round(latencies.length / elapsed),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? 0,
    fsyncBatches: commits,
    deliveredPerSec,
  };
}

async function main(): Promise<void> {
  const cells: Cell[] = [];
  for (const durability of ['spool', 'async'] as const) {
    for (const inFlight of [1, 64]) cells.push(await runCell(durability, inFlight));
  }
  // The batched layout: one NDJSON object per tenant and second instead of one file per record.
  cells.push(await runCell('spool', 64, 'batched'));
  const f = (n: number): string => n.toFixed(3);
  process.stdout.write(`audit append bench (${SECONDS}s per cell, file sink, ${tmpdir()})\n`);
  process.stdout.write('layout    durability  in-flight  appends/s   p50 ms   p99 ms   max ms  fsync batches  sink records/s\n');
  for (const c of cells) {
    process.stdout.write(
      `${c.layout.padEnd(8)}  ${c.durability.padEnd(10)}  ${String(c.inFlight).padStart(9)}  ${String(c.appendsPerSec).padStart(9)}  ${f(c.p50Ms).padStart(7)}  ${f(c.p99Ms).padStart(7)}  ${f(c.maxMs).padStart(7)}  ${String(c.fsyncBatches).padStart(13)}  ${String(c.deliveredPerSec).padStart(14)}\n`,
    );
  }
  if (process.env.AUDIT_BENCH_JSON) process.stdout.write(`${JSON.stringify(cells)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`audit bench failed: ${String(err)}\n`);
  process.exitCode = 1;
});
