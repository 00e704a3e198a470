import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { generateApiKey, hashApiKey } from '../proxy/identity/api-keys.js';
import { CHILD_EXEC_ARGV, POLICY_BUNDLE, REPO_ROOT, RESULTS_DIR, TSX_IMPORT, childScript } from './bench-paths.js';
import { benchBody, smokeCheck } from './bench-request.js';
import { GATEWAY_VARIANTS } from './gateway-variants.js';
import { runLoad } from './load.js';
import { startRedis, type RedisProcess } from './redis-process.js';
import { BASELINE, cpuPerRequestUs, formatTable, ratiosFor, type CellResult, type TargetFailure } from './report.js';
import { ProcessSampler, machineBusyFraction, readRssBytes } from './process-sampler.js';
import { readSettings, type BenchSettings } from './settings.js';
import { killAllTargets, spawnTarget, type TargetProcess } from './spawn-target.js';
import { buildPlans, type TargetPlan } from './target-plans.js';
import { measureFsyncUs } from './fsync-probe.js';
import { waitForCheapFileCreates } from './file-create-probe.js';
import { formatTargetLines, judgeTargets, type TargetLine } from './targets.js';
import { formatStageMeans, scrapeStages, stageMeansMs } from './stage-breakdown.js';

/**
 * `npm run bench`: starts the fake provider, the bare passthrough and each gateway variant, each
 * in its own process, then drives them with the same autocannon load and prints throughput,
 * latency and RSS with every figure divided by the passthrough's from this same run. All targets
 * stay up for the whole run and every load shape is run on each target back to back
 * (passthrough first), so background noise hits the floor and the gateways alike.
 */

const RESULTS_FILE = join(RESULTS_DIR, 'latest.json');
const PROFILE_DIR = join(RESULTS_DIR, 'profiles');
const MIB = 1024 * 1024;
/** Share of the machine's CPU used by other work before the run above which the table carries a warning. */
const BUSY_WARNING = 0.15;
// Creating an audit file costs ~60 µs of CPU on the reference VM once its filesystem has settled,
// and up to several times that within a minute of mass deletions (see file-create-probe.ts).
const SETTLED_FILE_CREATE_US = 100;

interface LiveTarget {
  readonly plan: TargetPlan;
  readonly proc: TargetProcess;
  readonly url: string;
  readonly idleRssBytes: number;
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function commitOf(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function describeFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').slice(0, 8).join(' | ');
}

/** Starts a target and checks it answers one json and one stream request correctly. */
async function startTarget(plan: TargetPlan, settings: BenchSettings, headers: Record<string, string>): Promise<LiveTarget> {
  const proc = await plan.start();
  try {
    const url = `http://127.0.0.1:${proc.port}${plan.path}`;
    for (const mode of settings.modes) await smokeCheck(url, headers, mode);
    const idleRssBytes = readRssBytes(proc.pid) ?? 0;
    log(`${plan.name}: up (pid ${proc.pid}, RSS after smoke check ${(idleRssBytes / MIB).toFixed(1)} MiB)`);
    return { plan, proc, url, idleRssBytes };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

async function measureCell(target: LiveTarget, settings: BenchSettings, headers: Record<string, string>, mode: CellResult['mode'], connections: number): Promise<CellResult> {
  const spec = { url: target.url, headers, body: benchBody(mode), connections };
  if (settings.warmupSeconds > 0) await runLoad({ ...spec, seconds: settings.warmupSeconds });
  const stagesBefore = await scrapeStages(target.proc.port);
  const sampler = new ProcessSampler(target.proc.pid);
  const load = await runLoad({ ...spec, seconds: settings.seconds });
  const { rssBytes, cpuMs } = sampler.stop();
  const stagesAfter = stagesBefore && (await scrapeStages(target.proc.port));
  const failed = load.non2xx + load.errors;
  const cell: CellResult = { target: target.plan.name, mode, connections, load, rssBytes, cpuMs };
  log(
    `${target.plan.name.padEnd(20)} ${mode.padEnd(6)} c=${String(connections).padEnd(3)} ${load.requestsPerSec.toFixed(0).padStart(6)} req/s` +
      `  p50 ${load.p50Ms.toFixed(2)} ms  p99 ${load.p99Ms.toFixed(2)} ms  RSS ${(rssBytes / MIB).toFixed(1)} MiB  CPU ${cpuPerRequestUs(cell).toFixed(0)} µs/req` +
      (failed > 0 ? `  FAILED ${failed} ${JSON.stringify(load.statusCodes)}` : ''),
  );
  if (stagesBefore && stagesAfter) {
    const backlog = stagesAfter.spoolBacklog === undefined ? '' : `; audit records not yet in the sink at the end: ${stagesAfter.spoolBacklog}`;
    log(`${''.padEnd(20)} stages, mean ms/request: ${formatStageMeans(stageMeansMs(stagesBefore.stages, stagesAfter.stages))}${backlog}`);
  }
  return cell;
}

function writeResults(
  settings: BenchSettings,
  live: readonly LiveTarget[],
  cells: readonly CellResult[],
  failures: readonly TargetFailure[],
  startedAt: Date,
  busyAtStart: number | undefined,
  fsyncUs: number | undefined,
  fileCreateUs: number,
  targets: readonly TargetLine[],
): void {
  const cpu = cpus();
  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: commitOf(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: { count: cpu.length, model: cpu[0]?.model },
    machineBusyBeforeStart: busyAtStart ?? null,
    loadAverageAtEnd: loadavg(),
    fsyncMedianUs: fsyncUs ?? null,
    fileCreateCpuUs: fileCreateUs,
    settings,
    baseline: BASELINE,
    targets: live.map((t) => ({ name: t.plan.name, description: t.plan.description, rssAfterStartMiB: t.idleRssBytes / MIB })),
    cells: cells.map((cell) => ({
      target: cell.target,
      mode: cell.mode,
      connections: cell.connections,
      requestsPerSec: cell.load.requestsPerSec,
      p50Ms: cell.load.p50Ms,
      p99Ms: cell.load.p99Ms,
      meanMs: cell.load.meanMs,
      rssMiB: cell.rssBytes / MIB,
      cpuMs: cell.cpuMs,
      cpuUsPerRequest: cpuPerRequestUs(cell),
      ok: cell.load.ok,
      non2xx: cell.load.non2xx,
      errors: cell.load.errors,
      timeouts: cell.load.timeouts,
      durationSec: cell.load.durationSec,
      statusCodes: cell.load.statusCodes,
      ratioToPassthrough: ratiosFor(cell, cells) ?? null,
    })),
    failures,
    targetLines: targets.map((t) => ({ ...t, value: t.value ?? null, pass: t.pass ?? null, limit: Number.isFinite(t.limit) ? t.limit : null })),
  };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
}

async function main(): Promise<number> {
  const settings = readSettings(process.env);
  const startedAt = new Date();
  // Other work on the machine skews every absolute number: measure it before starting anything.
  const busyAtStart = await machineBusyFraction();
  // One fsync on this disk, before any target runs: the c=1 durable-audit target is one fsync + 150 µs.
  let fsyncUs: number | undefined;
  try {
    const probe = measureFsyncUs();
    fsyncUs = probe.medianUs;
    log(`one fsync (append 512 B + fdatasync, median of 50) under ${probe.dir}: ${fsyncUs.toFixed(0)} µs`);
  } catch (err) {
    log(`fsync probe failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const creates = await waitForCheapFileCreates({ settledUs: SETTLED_FILE_CREATE_US, maxWaitMs: 120_000, pollMs: 10_000, log });
  log(`one audit file as the records layout writes it (create, 1.5 KB, rename, close): ${creates.perFileUs.toFixed(0)} µs of CPU${creates.waitedMs > 0 ? `, after waiting ${(creates.waitedMs / 1000).toFixed(0)} s for it to settle` : ''}`);
  const apiKey = generateApiKey();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const cells: CellResult[] = [];
  const failures: TargetFailure[] = [];
  const live: LiveTarget[] = [];
  let redis: RedisProcess | undefined;
  let fake: TargetProcess | undefined;
  try {
    // The fake provider is test code: always loaded through tsx (see fake-provider-target.ts).
    fake = await spawnTarget({ name: 'fake-provider', script: childScript('fake-provider-target'), execArgv: TSX_IMPORT });
    const upstreamBaseUrl = fake.info['baseUrl'];
    if (!upstreamBaseUrl) throw new Error('the fake provider did not report its baseUrl');
    if (GATEWAY_VARIANTS.some((v) => v.needsRedis && settings.targets.includes(v.name))) {
      try {
        redis = await startRedis();
      } catch (err) {
        // The Redis variants then fail to start and are listed as FAILED; the others still run.
        log(`redis: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const plans = buildPlans(settings.targets, {
      fake,
      upstreamBaseUrl,
      apiKeySha256: hashApiKey(apiKey),
      policyBundle: POLICY_BUNDLE,
      redisUrl: redis?.url,
      childScript,
      childExecArgv: (target) =>
        settings.cpuProfile ? [...CHILD_EXEC_ARGV, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${target}.cpuprofile`] : CHILD_EXEC_ARGV,
    });
    log(`fake provider at ${upstreamBaseUrl}; starting ${plans.map((p) => p.name).join(', ')}`);
    for (const plan of plans) {
      try {
        live.push(await startTarget(plan, settings, headers));
      } catch (err) {
        failures.push({ target: plan.name, reason: describeFailure(err) });
        log(`${plan.name}: NOT MEASURED: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (!live.some((t) => t.plan.name === BASELINE)) throw new Error('the passthrough did not start: no floor to compare against');
    const shapes = settings.modes.length * settings.connections.length;
    log(`${live.length} targets × ${shapes} load shapes × (${settings.warmupSeconds}s warm-up + ${settings.seconds}s)`);
    for (const mode of settings.modes) {
      for (const connections of settings.connections) {
        for (const target of live) {
          if (failures.some((f) => f.target === target.plan.name)) continue;
          cells.push(await measureCell(target, settings, headers, mode, connections));
          const upstreamDeath = fake.died();
          if (upstreamDeath) throw new Error(`the fake provider ${upstreamDeath}`);
          const death = target.proc.died();
          if (death) {
            failures.push({ target: target.plan.name, reason: death.split('\n').slice(0, 8).join(' | ') });
            log(`${target.plan.name}: ${death}`);
          }
        }
      }
    }
  } finally {
    for (const target of live) await target.proc.stop();
    await redis?.stop();
    await fake?.stop();
    killAllTargets();
    creates.cleanup();
  }
  process.stdout.write(`\nWorkjet Gateway bench: ${settings.seconds}s per cell after ${settings.warmupSeconds}s warm-up, ${cpus().length} CPUs, Node ${process.version}, machine ${busyAtStart === undefined ? '?' : Math.round(busyAtStart * 100)}% busy before start\n`);
  if (busyAtStart !== undefined && busyAtStart > BUSY_WARNING) {
    process.stdout.write('WARNING: the machine was busy with other work before the bench started: absolute numbers are noisy; compare ratios, and re-run on an idle machine before quoting.\n');
  }
  process.stdout.write('× columns are target ÷ passthrough for the same mode and concurrency, measured in this run.\n\n');
  process.stdout.write(`${formatTable(cells, failures)}\n`);
  const targets = judgeTargets(cells, fsyncUs);
  process.stdout.write(`\nIssue 14 targets (× against the passthrough of this run; one fsync measured at start: ${fsyncUs === undefined ? 'not measured' : `${fsyncUs.toFixed(0)} µs`}):\n`);
  process.stdout.write(`${formatTargetLines(targets)}\n`);
  writeResults(settings, live, cells, failures, startedAt, busyAtStart, fsyncUs, creates.perFileUs, targets);
  process.stdout.write(`\nresults: ${RESULTS_FILE}\n`);
  if (settings.cpuProfile) process.stdout.write(`CPU profiles (open in Chrome DevTools → Performance): ${PROFILE_DIR}/<target>.cpuprofile\n`);
  const failedCells = cells.filter((c) => c.load.non2xx + c.load.errors > 0).length;
  return failures.length > 0 || failedCells > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    killAllTargets();
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
