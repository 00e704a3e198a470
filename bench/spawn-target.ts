import { fork, type ChildProcess } from 'node:child_process';
import type { ChildMessage, ControlRequest, MemoryBreakdown } from './target-child.js';

/** A benchmark target running in its own child process. */
export interface TargetProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly info: Record<string, string>;
  /** Why the process ended on its own after it was ready (exit code and the end of its stderr), if it did. */
  died(): string | undefined;
  /** Sends a bench command to the child over IPC (see ControlRequest) and waits for its reply (`gc`: the memory breakdown). */
  control(command: string, options?: { count?: number; timeoutMs?: number }): Promise<MemoryBreakdown | undefined>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
const exitHooks = new Set<() => void>();

/** Kills every child still alive and runs the exit hooks, synchronously: safe from an 'exit' handler. */
export function killAllTargets(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      // Best effort: one failed cleanup must not keep the others from running.
    }
  }
  exitHooks.clear();
}

/** Runs `hook` (synchronous) when the bench exits or is interrupted; returns a function that cancels it. */
export function onBenchExit(hook: () => void): () => void {
  guardParentExit();
  exitHooks.add(hook);
  return () => void exitHooks.delete(hook);
}

/** Registers a child that is not a Node target (redis-server) so it dies with the bench too. */
export function trackChild(child: ChildProcess): void {
  guardParentExit();
  live.add(child);
}

/** Forgets a tracked child once it has exited. */
export function untrackChild(child: ChildProcess): void {
  live.delete(child);
}

let guarded = false;
function guardParentExit(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', killAllTargets);
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal, () => {
      killAllTargets();
      process.exit(code);
    });
  }
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface SpawnOptions {
  readonly name: string;
  /** Absolute path of the child entry (`dist/bench/*-target.js`). */
  readonly script: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Node flags of the child (e.g. `--import tsx` when the bench itself runs from source). */
  readonly execArgv?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** Forks a target entry and waits for it to report its port; rejects with its stderr on failure. */
export function spawnTarget(options: SpawnOptions): Promise<TargetProcess> {
  guardParentExit();
  // stdout is discarded (the gateway's per-request JSON log lines cost it the same as in production
  // when shipped to a file); stderr is kept so a failed start says why.
  const child = fork(options.script, [], {
    cwd: options.cwd,
    execArgv: [...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });

  let stopping = false;
  let death: string | undefined;
  const died = () => death;
  const stop = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 6_000);
      await waitExit(child);
      clearTimeout(timer);
    }
    live.delete(child);
  };

  let nextControlId = 1;
  const pending = new Map<number, (reply: { error?: string; memory?: MemoryBreakdown }) => void>();
  const control = (command: string, opts: { count?: number; timeoutMs?: number } = {}): Promise<MemoryBreakdown | undefined> =>
    new Promise<MemoryBreakdown | undefined>((resolve, reject) => {
      const id = nextControlId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${options.name}: no reply to "${command}" within ${opts.timeoutMs ?? 30_000} ms`));
      }, opts.timeoutMs ?? 30_000);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.error === undefined) resolve(reply.memory);
        else reject(new Error(`${options.name}: ${command}: ${reply.error}`));
      });
      const request: ControlRequest = opts.count === undefined ? { type: 'control', id, command } : { type: 'control', id, command, count: opts.count };
      child.send(request);
    });

  return new Promise<TargetProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(new Error(`${options.name}: ${why}${stderr ? `\n--- stderr ---\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${options.readyTimeoutMs ?? 60_000} ms`), options.readyTimeoutMs ?? 60_000);
    // 'close' (not 'exit') so that all of stderr has been read when the reason is built.
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited during start (code ${code}, signal ${signal})`);
    child.once('close', onClose);
    child.once('error', (err) => fail(err.message));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'reply') {
        pending.get(message.id)?.(message);
        return;
      }
      if (message.type === 'error') {
        fail(message.message);
        return;
      }
      if (settled) return;
      if (child.pid === undefined) {
        fail('no pid');
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.off('close', onClose);
      child.once('close', (code, signal) => {
        if (!stopping) death = `exited unexpectedly (code ${code}, signal ${signal})${stderr ? `: ${stderr.trim()}` : ''}`;
      });
      resolve({ name: options.name, pid: child.pid, port: message.port, info: message.info ?? {}, died, control, stop });
    });
  });
}
