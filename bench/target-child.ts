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

export type ChildMessage = ChildReady | ChildFailed;

export interface StartedTarget {
  readonly port: number;
  readonly info?: Record<string, string>;
  close(): Promise<void>;
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
