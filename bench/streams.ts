import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateApiKey, hashApiKey } from '../proxy/identity/api-keys.js';
import { CHILD_EXEC_ARGV, POLICY_BUNDLE, RESULTS_DIR, TSX_IMPORT, childScript } from './bench-paths.js';
import { benchBody, smokeCheck } from './bench-request.js';
import { GATEWAY_VARIANTS } from './gateway-variants.js';
import { HeldStreams, type HeldProgress } from './held-streams.js';
import { runLoad } from './load.js';
import { bytesPerStream, checkStreams, formatMemoryCells, judgeMemory, keptHeapBytesPerStream, type MemoryCell, type MemoryRound } from './memory-report.js';
import { ProcessSampler, countOpenSockets, machineBusyFraction, readRssBytes } from './process-sampler.js';
import { BASELINE } from './report.js';
import { killAllTargets, spawnTarget, type TargetProcess } from './spawn-target.js';
import { formatMappingChange, residentByMapping } from './smaps.js';
import { scrapeStages } from './stage-breakdown.js';
import type { MemoryBreakdown } from './target-child.js';
import { buildPlans, type TargetPlan } from './target-plans.js';

/**
 * `npm run bench:streams`, the memory cell of issue 14: N (1,000) concurrent streaming chat
 * completions held open by the fake provider after their first words, through the passthrough
 * and through the gateway with every stage on (`gw-all`). For each target, in a fresh process
 * started with `--expose-gc`: RSS at baseline (after a short warm-up and a collection), while
 * held, the peak, and after the streams are released, have ended and a collection plus a settle
 * period have passed; twice on the same process, so memory that accumulates shows as growth
 * between rounds. Every stream must carry the whole answer and `[DONE]`.
 *
 * A separate script rather than a cell of `npm run bench`: the baseline needs a fresh process
 * (after the load cells a target's heap is already grown), and 1,000 streams would disturb the
 * CPU figures of the cells around it.
 */

const MIB = 1024 * 1024;
const RESULTS_FILE = join(RESULTS_DIR, 'streams-latest.json');
const DEFAULT_TARGETS = [BASELINE, 'gw-all'] as const;

interface StreamsSettings {
  /** Concurrent streams (`BENCH_STREAMS`, default 1000). */
  readonly streams: number;
  /** Seconds to wait, once the streams' connections are closed, before the collection and the "after" sample (`BENCH_STREAMS_SETTLE_SECONDS`, default 1). */
  readonly settleSeconds: number;
  /** Log which mappings of the target grew from baseline to after (`BENCH_STREAMS_SMAPS=1`). */
  readonly smaps: boolean;
  /** Rounds on the same process (`BENCH_STREAMS_ROUNDS`, default 2): growth between rounds is memory kept. */
  readonly rounds: number;
  /** The passthrough, then these gateway variants (`BENCH_STREAMS_TARGETS`, default `gw-all`): to find which stage keeps memory. */
  readonly targets: readonly string[];
}

function readStreamsSettings(env: NodeJS.ProcessEnv): StreamsSettings {
  const streams = Number(env['BENCH_STREAMS'] ?? '1000');
  const settleSeconds = Number(env['BENCH_STREAMS_SETTLE_SECONDS'] ?? '1');
  const rounds = Number(env['BENCH_STREAMS_ROUNDS'] ?? '2');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_STREAMS_ROUNDS must be a positive integer, got "${env['BENCH_STREAMS_ROUNDS']}"`);
  if (!Number.isInteger(streams) || streams < 1) throw new Error(`BENCH_STREAMS must be a positive integer, got "${env['BENCH_STREAMS']}"`);
  if (!Number.isFinite(settleSeconds) || settleSeconds < 0) throw new Error(`BENCH_STREAMS_SETTLE_SECONDS must be ≥ 0, got "${env['BENCH_STREAMS_SETTLE_SECONDS']}"`);
  const asked = (env['BENCH_STREAMS_TARGETS'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  // No Redis here: the cell starts none, so the Redis variant is left out.
  const variants = GATEWAY_VARIANTS.filter((v) => !v.needsRedis).map((v) => v.name);
  for (const name of asked) {
    if (!variants.includes(name)) throw new Error(`BENCH_STREAMS_TARGETS: "${name}" is not a gateway variant (${variants.join(', ')})`);
  }
  const targets = asked.length > 0 ? [BASELINE, ...asked] : [...DEFAULT_TARGETS];
  return { streams, settleSeconds, rounds, targets, smaps: env['BENCH_STREAMS_SMAPS'] === '1' };
}

function log(line: string): void {
  process.stderr.write(`[bench:streams] ${line}\n`);
}

function rssOf(proc: TargetProcess): number {
  const rss = readRssBytes(proc.pid);
  if (rss === undefined) throw new Error(`${proc.name} is gone${proc.died() ? `: ${proc.died()}` : ''}`);
  return rss;
}

/**
 * Fewer open sockets than this means the streams' connections are gone: their client sockets,
 * and the idle upstream keep-alive sockets the fake provider closes after Node's default 5 s.
 */
const SOCKETS_AT_REST = 64;

async function waitFor(proc: TargetProcess, what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      log(`${proc.name}: ${what} after ${timeoutMs / 1000} s; sampling anyway`);
      return;
    }
    await sleep(200);
  }
}

/**
 * The target at rest: its audit records all delivered (the spool backlog, read from /metrics, is
 * 0; targets without it have nothing to wait for), the streams' connections closed, the settle
 * period over, then a collection. Returns the RSS and the memory breakdown the collection reported.
 */
async function atRest(proc: TargetProcess, settleSeconds: number): Promise<{ rssBytes: number; memory: MemoryBreakdown | undefined }> {
  await waitFor(proc, 'audit records still not delivered', async () => {
    const backlog = (await scrapeStages(proc.port))?.spoolBacklog;
    return backlog === undefined || backlog === 0;
  }, 30_000);
  await waitFor(proc, `still ${SOCKETS_AT_REST} or more sockets open`, () => Promise.resolve((countOpenSockets(proc.pid) ?? 0) < SOCKETS_AT_REST), 15_000);
  await sleep(settleSeconds * 1000);
  const collected = await proc.control('gc');
  // RSS falls for a moment after a full collection (freed pages are returned): sample after it,
  // and put that figure in the breakdown too, so its native rest adds up to the RSS reported.
  await sleep(200);
  const rssBytes = rssOf(proc);
  return { rssBytes, memory: collected && { ...collected, rss: rssBytes } };
}

/** Warm-up (JIT, pools), then at rest: what the cell starts from. */
async function baseline(proc: TargetProcess, url: string, headers: Record<string, string>): Promise<{ rssBytes: number; memory: MemoryBreakdown | undefined }> {
  await runLoad({ url, headers, body: benchBody('stream'), connections: 16, seconds: 1 });
  return atRest(proc, 1);
}

/** One round on a running target: open N streams, hold them, release them, let them end, settle. */
async function measureRound(proc: TargetProcess, url: string, fake: TargetProcess, settings: StreamsSettings, headers: Record<string, string>, expected: string): Promise<MemoryRound> {
  await fake.control('hold-streams', { count: settings.streams });
  // Peak over the whole round, opening and ending included: ending 1,000 streams at once allocates too.
  const sampler = new ProcessSampler(proc.pid, 50);
  const started = performance.now();
  const streams = HeldStreams.open({ url, headers, body: benchBody('stream'), count: settings.streams });
  let openSeconds: number;
  let heldBytes: number;
  try {
    const allShowing = (p: HeldProgress): boolean => {
      // A stream that ended well while the others are held was not held: the cell is broken, stop.
      // One that failed (a 503, a reset) is the target's answer: counted in the report, not hidden.
      if (p.ended > p.failed) throw new Error(`${p.ended - p.failed} stream(s) ended while they should be held`);
      return p.showingContent + p.failed === settings.streams;
    };
    await streams.waitUntil(`${proc.name}: all ${settings.streams} streams showing their first words`, allShowing, 45_000);
    openSeconds = (performance.now() - started) / 1000;
    await sleep(1000);
    heldBytes = rssOf(proc);
  } catch (err) {
    sampler.stop();
    await streams.close();
    throw err;
  } finally {
    await fake.control('release-streams');
  }
  const outcomes = await streams.outcomes();
  const peakBytes = sampler.stop().rssBytes;
  await streams.close();
  const check = checkStreams(outcomes, expected);
  const rest = await atRest(proc, settings.settleSeconds);
  const afterBytes = rest.rssBytes;
  const afterSockets = countOpenSockets(proc.pid);
  log(`${proc.name}: held ${(heldBytes / MIB).toFixed(1)} MiB after ${openSeconds.toFixed(1)} s, peak ${(peakBytes / MIB).toFixed(1)} MiB, after ${(afterBytes / MIB).toFixed(1)} MiB (${afterSockets ?? '?'} sockets); ${check.ok}/${check.total} ok`);
  return {
    openSeconds,
    heldBytes,
    peakBytes,
    afterBytes,
    check,
    ...(rest.memory ? { afterMemory: rest.memory } : {}),
    ...(afterSockets === undefined ? {} : { afterSockets }),
  };
}

async function measureTarget(plan: TargetPlan, fake: TargetProcess, settings: StreamsSettings, headers: Record<string, string>): Promise<MemoryCell> {
  const expected = fake.info['streamText'];
  if (!expected) throw new Error('the fake provider did not report its stream text');
  const proc = await plan.start();
  try {
    const url = `http://127.0.0.1:${proc.port}${plan.path}`;
    await smokeCheck(url, headers, 'stream');
    const start = await baseline(proc, url, headers);
    const baselineBytes = start.rssBytes;
    log(`${plan.name}: baseline RSS ${(baselineBytes / MIB).toFixed(1)} MiB; ${settings.rounds} round(s) of ${settings.streams} streams`);
    const mappingsBefore = settings.smaps ? residentByMapping(proc.pid) : undefined;
    const rounds: MemoryRound[] = [];
    for (let i = 0; i < settings.rounds; i++) rounds.push(await measureRound(proc, url, fake, settings, headers, expected));
    if (mappingsBefore) log(`${plan.name}: resident memory by mapping, baseline → after: ${formatMappingChange(mappingsBefore, residentByMapping(proc.pid))}`);
    const cell = { target: plan.name, streams: settings.streams, baselineBytes, rounds };
    return start.memory ? { ...cell, baselineMemory: start.memory } : cell;
  } finally {
    await proc.stop();
  }
}

function writeResults(settings: StreamsSettings, cells: readonly MemoryCell[], startedAt: Date, busyAtStart: number | undefined): void {
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    cpu: { count: cpus().length, model: cpus()[0]?.model },
    machineBusyBeforeStart: busyAtStart ?? null,
    settings,
    cells: cells.map((cell) => {
      const v = judgeMemory(cell);
      return {
        target: cell.target,
        streams: cell.streams,
        baselineMiB: cell.baselineBytes / MIB,
        baselineMemory: cell.baselineMemory ?? null,
        rounds: cell.rounds.map((r) => ({
          openSeconds: r.openSeconds,
          heldMiB: r.heldBytes / MIB,
          peakMiB: r.peakBytes / MIB,
          afterMiB: r.afterBytes / MIB,
          afterMemory: r.afterMemory ?? null,
          afterSockets: r.afterSockets ?? null,
          streamsOk: r.check.ok,
          streamFailures: r.check.failures,
        })),
        bytesPerOpenStream: bytesPerStream(cell),
        heapBytesKeptPerStreamPerRound: keptHeapBytesPerStream(cell),
        peakUnderLimit: { pass: v.held.pass, peakMiB: v.held.valueBytes / MIB, limitMiB: v.held.limitBytes / MIB },
        afterNearBaseline: { pass: v.after.pass, afterMiB: v.after.valueBytes / MIB, limitMiB: v.after.limitBytes / MIB },
      };
    }),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
}

async function main(): Promise<number> {
  const settings = readStreamsSettings(process.env);
  const startedAt = new Date();
  const busyAtStart = await machineBusyFraction();
  const apiKey = generateApiKey();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const cells: MemoryCell[] = [];
  let fake: TargetProcess | undefined;
  try {
    fake = await spawnTarget({ name: 'fake-provider', script: childScript('fake-provider-target'), execArgv: TSX_IMPORT });
    const upstreamBaseUrl = fake.info['baseUrl'];
    if (!upstreamBaseUrl) throw new Error('the fake provider did not report its baseUrl');
    const plans = buildPlans(settings.targets, {
      fake,
      upstreamBaseUrl,
      apiKeySha256: hashApiKey(apiKey),
      policyBundle: POLICY_BUNDLE,
      passthroughConnections: settings.streams + 64,
      childScript,
      // --expose-gc so the cell can collect before its baseline and "after" samples (bench only).
      childExecArgv: () => [...CHILD_EXEC_ARGV, '--expose-gc'],
    });
    // One target at a time, each in a fresh process: the other's load does not land in its figures.
    for (const plan of plans) {
      cells.push(await measureTarget(plan, fake, settings, headers));
      const death = fake.died();
      if (death) throw new Error(`the fake provider ${death}`);
    }
  } finally {
    await fake?.stop();
    killAllTargets();
  }
  const busy = busyAtStart === undefined ? '?' : `${Math.round(busyAtStart * 100)}%`;
  process.stdout.write(`\nWorkjet Gateway memory cell: ${settings.streams} concurrent streams held open, ${cpus().length} CPUs, Node ${process.version}, machine ${busy} busy before start\n\n`);
  process.stdout.write(`${formatMemoryCells(cells)}\nresults: ${RESULTS_FILE}\n`);
  writeResults(settings, cells, startedAt, busyAtStart);
  return cells.every((c) => c.rounds.every((r) => r.check.ok === r.check.total)) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    killAllTargets();
    process.stderr.write(`bench:streams failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
