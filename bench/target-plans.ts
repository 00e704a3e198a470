import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInDetectorNames } from './dlp-detectors.js';
import { GATEWAY_VARIANTS, type BenchEnvironment } from './gateway-variants.js';
import { BASELINE } from './report.js';
import { onBenchExit, spawnTarget, type TargetProcess } from './spawn-target.js';

/** How to start one target and where the load posts on it. */
export interface TargetPlan {
  readonly name: string;
  readonly description: string;
  /** Path the load posts to on the target's origin. */
  readonly path: string;
  start(): Promise<TargetProcess>;
}

export interface PlanContext {
  /** The running fake provider (the `direct` target measures it with no proxy in front). */
  readonly fake: TargetProcess;
  /** Its OpenAI base URL (`http://127.0.0.1:<port>/v1`). */
  readonly upstreamBaseUrl: string;
  readonly apiKeySha256: string;
  readonly policyBundle: string;
  readonly redisUrl?: string;
  /** Upstream sockets of the passthrough (its default, 64, is too few to hold 1,000 streams). */
  readonly passthroughConnections?: number;
  /** Path of a child entry (`passthrough-target`, `gateway-target`) in this run's form. */
  childScript(name: string): string;
  /** Node flags of a target's process (tsx when running from source, --cpu-prof when profiling). */
  childExecArgv(target: string): readonly string[];
}

/** The targets the settings ask for, passthrough first; each gateway variant gets its own temp dir. */
export function buildPlans(targets: readonly string[], ctx: PlanContext): TargetPlan[] {
  const upstream = new URL(ctx.upstreamBaseUrl);
  // The passthrough does no path rewriting: the load posts the upstream's own path to it.
  const upstreamPath = `${upstream.pathname.replace(/\/$/, '')}/chat/completions`;
  const all: TargetPlan[] = [
    {
      name: 'direct',
      description: 'the fake provider itself, no proxy in front (what the upstream alone costs)',
      path: upstreamPath,
      start: () => Promise.resolve({ ...ctx.fake, name: 'direct', stop: () => Promise.resolve() }),
    },
    {
      name: BASELINE,
      description: 'bare node:http server relaying to an undici Pool (keep-alive), streaming both ways, no parsing: the floor',
      path: upstreamPath,
      start: () =>
        spawnTarget({
          name: BASELINE,
          script: ctx.childScript('passthrough-target'),
          execArgv: ctx.childExecArgv(BASELINE),
          env: {
            BENCH_UPSTREAM_ORIGIN: upstream.origin,
            ...(ctx.passthroughConnections === undefined ? {} : { BENCH_UPSTREAM_CONNECTIONS: String(ctx.passthroughConnections) }),
          },
        }),
    },
  ];
  for (const variant of GATEWAY_VARIANTS) {
    all.push({
      name: variant.name,
      description: variant.description,
      path: '/v1/chat/completions',
      start: async () => {
        const dataDir = mkdtempSync(join(tmpdir(), `wj-bench-${variant.name}-`));
        const env: BenchEnvironment = {
          upstreamBaseUrl: ctx.upstreamBaseUrl,
          apiKeySha256: ctx.apiKeySha256,
          policyBundle: ctx.policyBundle,
          dataDir,
          redisUrl: ctx.redisUrl,
          dlpDetectors: builtInDetectorNames(),
        };
        // Removed when the bench exits, not when the cell ends: on ext4 without a journal, files
        // created within a minute of mass deletions walk past every freed inode (up to ~690 µs a
        // create), so deleting a cell's ~10,000 audit files slowed the cells after it.
        const cancelHook = onBenchExit(() => rmSync(dataDir, { recursive: true, force: true }));
        try {
          return await spawnTarget({
            name: variant.name,
            script: ctx.childScript('gateway-target'),
            execArgv: ctx.childExecArgv(variant.name),
            // cwd is the variant's temp dir so any relative state path (./data) lands there.
            cwd: dataDir,
            env: { BENCH_GATEWAY_CONFIG: JSON.stringify(variant.config(env)) },
          });
        } catch (err) {
          cancelHook();
          rmSync(dataDir, { recursive: true, force: true });
          throw err;
        }
      },
    });
  }
  return all.filter((plan) => targets.includes(plan.name));
}
