import type { BodyMode } from './report.js';

/** What one `npm run bench` measures; every field can be set from the environment. */
export interface BenchSettings {
  /** Measured seconds per cell (`BENCH_SECONDS`, default 3). */
  readonly seconds: number;
  /** Unmeasured seconds before each cell, so the JIT and pools are warm (`BENCH_WARMUP_SECONDS`, default 1). */
  readonly warmupSeconds: number;
  /** Concurrent connections (`BENCH_CONNECTIONS`, default `1,16`). */
  readonly connections: readonly number[];
  /** Request shapes (`BENCH_MODES`, default `json,stream`). */
  readonly modes: readonly BodyMode[];
  /** Targets to run, in order (`BENCH_TARGETS`; the passthrough is always added: ratios need it). */
  readonly targets: readonly string[];
  /** Write a V8 CPU profile of every target process (`BENCH_CPU_PROFILE=1`); slows the targets down. */
  readonly cpuProfile: boolean;
}

export const DEFAULT_TARGETS = ['passthrough', 'gateway', 'gw-audit-async', 'gw-limits-embedded', 'gw-limits-redis', 'gw-dlp-all', 'gw-all', 'gw-all-batched'] as const;
/** Known targets; `direct` (the fake provider with no proxy) is opt-in. */
export const KNOWN_TARGETS: readonly string[] = ['direct', ...DEFAULT_TARGETS];

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function seconds(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}, got "${value}"`);
  return n;
}

/** Reads and checks the bench settings; a bad value is an error that names the variable. */
export function readSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const connections = (list(env['BENCH_CONNECTIONS']) ?? ['1', '16']).map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CONNECTIONS: "${c}" is not a positive integer`);
    return n;
  });
  const modes = (list(env['BENCH_MODES']) ?? ['json', 'stream']).map((m) => {
    if (m !== 'json' && m !== 'stream') throw new Error(`BENCH_MODES: "${m}" is not json or stream`);
    return m;
  });
  const requested = list(env['BENCH_TARGETS']) ?? [...DEFAULT_TARGETS];
  for (const name of requested) {
    if (!KNOWN_TARGETS.includes(name)) throw new Error(`BENCH_TARGETS: unknown target "${name}" (known: ${KNOWN_TARGETS.join(', ')})`);
  }
  // Keep the declared order (passthrough before the gateways) whatever order was asked for.
  const targets = KNOWN_TARGETS.filter((t) => t === 'passthrough' || requested.includes(t));
  return {
    seconds: seconds('BENCH_SECONDS', env['BENCH_SECONDS'], 3, 1),
    warmupSeconds: seconds('BENCH_WARMUP_SECONDS', env['BENCH_WARMUP_SECONDS'], 1, 0),
    connections,
    modes,
    targets,
    cpuProfile: env['BENCH_CPU_PROFILE'] === '1' || env['BENCH_CPU_PROFILE'] === 'true',
  };
}
