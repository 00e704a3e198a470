/**
 * The child side of a benchmark target: each target (fake provider, passthrough, one gateway
 * variant) runs in its own Node process so its RSS can be read from /proc/<pid>/status alone.
 * The parent learns the bound port over the IPC channel and stops the child with SIGTERM.
 */

export interface ChildReady {
  readonly type: 'ready';
  readonly port: number;
  /** Anything else the parent needs (e.g. the fake provider's base URL). */
  readonly info?: Record<string, string>;
}

export interface ChildFailed {
  readonly type: 'error';
  readonly message: string;
}

/** `process.memoryUsage()` of the child in bytes, sent with the reply to `gc`. */
export interface MemoryBreakdown {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** The answer to one {@link ControlRequest}. */
export interface ControlReply {
  readonly type: 'reply';
  readonly id: number;
  /** Why the command failed; absent when it succeeded. */
  readonly error?: string;
  /** After `gc`: where the memory is once collected (heap vs. buffers vs. the rest, native). */
  readonly memory?: MemoryBreakdown;
}

export type ChildMessage = ChildReady | ChildFailed | ControlReply;

/**
 * A bench-only command from the parent over the IPC channel (never an HTTP route: the product
 * gets no debug endpoint). `gc` runs a full collection when the child was started with
 * `--expose-gc` and answers with the memory breakdown; other commands go to the target's own
 * `control` (the fake provider holds and releases streams).
 */
export interface ControlRequest {
  readonly type: 'control';
  readonly id: number;
  readonly command: string;
  readonly count?: number;
}

export interface StartedTarget {
  readonly port: number;
  readonly info?: Record<string, string>;
  /** Handles a bench command other than `gc`; throws for one it does not know. */
  control?(command: string, count: number | undefined): Promise<void> | void;
  close(): Promise<void>;
}

function isControlRequest(message: unknown): message is ControlRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  return m['type'] === 'control' && typeof m['id'] === 'number' && typeof m['command'] === 'string';
}

async function runControl(target: StartedTarget | undefined, request: ControlRequest): Promise<MemoryBreakdown | undefined> {
  if (request.command === 'gc') {
    // Only defined under --expose-gc; the bench starts memory-cell targets with it.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('gc: the target was not started with --expose-gc');
    // Twice: the first pass can leave objects that only a second one frees (weak refs, finalizers).
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    return { rss, heapTotal, heapUsed, external, arrayBuffers };
  }
  if (!target?.control) throw new Error(`unknown command "${request.command}"`);
  await target.control(request.command, request.count);
  return undefined;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Starts a target in this (child) process, reports its port, and closes it when told to stop. */
export function serveAsChild(start: () => Promise<StartedTarget>): void {
  let target: StartedTarget | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A stuck close must not leave an orphan: the parent also SIGKILLs after a grace period.
    setTimeout(() => process.exit(0), 5_000).unref();
    const closing = target ? target.close() : Promise.resolve();
    closing.then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', stop);
  process.on('message', (message: unknown) => {
    if (!isControlRequest(message)) return;
    runControl(target, message).then(
      (memory) => send(memory ? { type: 'reply', id: message.id, memory } : { type: 'reply', id: message.id }),
      (err: unknown) => send({ type: 'reply', id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });

  start().then(
    (started) => {
      target = started;
      const ready: ChildReady = started.info ? { type: 'ready', port: started.port, info: started.info } : { type: 'ready', port: started.port };
      send(ready);
    },
    (err: unknown) => {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      send({ type: 'error', message });
      process.stderr.write(`${message}\n`);
      process.exit(1);
    },
  );
}

/** Reads a required environment variable of the child, failing with its name. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`bench child: ${name} is not set`);
  return value;
}
