import type Database from 'better-sqlite3';

interface QueuedOperation {
  readonly run: () => unknown;
  readonly afterCommit: ((committed: boolean) => void) | undefined;
  readonly resolve: (value: never) => void;
  readonly reject: (err: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Group commit for a better-sqlite3 database: operations queued in the same tick run one after
 * another inside one IMMEDIATE transaction, each in its own savepoint, and their promises settle
 * after the commit. Each operation still sees the effects of the ones before it, as it would in
 * a transaction of its own, but N concurrent requests pay one WAL commit instead of N. An
 * operation that throws rolls back only its own savepoint; a commit that fails rejects every
 * operation of the batch. Operations queued with `runBehind` wait up to a short window for
 * company instead of the next tick.
 */
export class SqliteGroupCommit {
  readonly #batch: (operations: readonly QueuedOperation[]) => Outcome[];
  readonly #windowMs: number;
  #queue: QueuedOperation[] = [];
  #scheduled?: NodeJS.Immediate;
  #window?: NodeJS.Timeout;

  /** `windowMs`: how long an operation queued with {@link runBehind} may wait for company. */
  constructor(db: Database.Database, options: { windowMs?: number } = {}) {
    this.#windowMs = options.windowMs ?? 10;
    const savepoint = db.transaction((operation: QueuedOperation): unknown => operation.run());
    const batch = db.transaction((operations: readonly QueuedOperation[]): Outcome[] =>
      operations.map((operation): Outcome => {
        try {
          return { ok: true, value: savepoint(operation) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    this.#batch = (operations) => batch.immediate(operations);
  }

  /**
   * Runs `operation` in the next group transaction; resolves with its result once committed.
   * `afterCommit` learns whether the operation's writes are in the file (its savepoint was kept
   * and the transaction committed). It is called during the flush, before any code waiting on
   * the batch resumes, so a caller can bring its memory in line with the file before any other
   * code runs. It must not throw.
   */
  run<T>(operation: () => T, afterCommit?: (committed: boolean) => void): Promise<T> {
    const committed = this.#enqueue(operation, afterCommit);
    this.#scheduled ??= setImmediate(() => this.flush());
    return committed;
  }

  /**
   * As {@link run}, for an operation nobody waits on: it is committed with the next batch, or
   * after `windowMs` at the latest, so a trickle of them shares one commit. The timer keeps the
   * process alive until then, so what is queued is committed before it exits.
   */
  runBehind<T>(operation: () => T, afterCommit?: (committed: boolean) => void): Promise<T> {
    const committed = this.#enqueue(operation, afterCommit);
    if (!this.#scheduled) this.#window ??= setTimeout(() => this.flush(), this.#windowMs);
    return committed;
  }

  /** Commits what waits behind in the next tick instead of at the end of its window. */
  hurry(): void {
    if (this.#queue.length > 0) this.#scheduled ??= setImmediate(() => this.flush());
  }

  #enqueue<T>(operation: () => T, afterCommit: ((committed: boolean) => void) | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run: operation, afterCommit, resolve: resolve as (value: never) => void, reject });
    });
  }

  /** Commits what is queued now (also called by the scheduled tick and before close). */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#window) clearTimeout(this.#window);
    this.#window = undefined;
    const operations = this.#queue;
    if (operations.length === 0) return;
    this.#queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.#batch(operations);
    } catch (err) {
      for (const operation of operations) {
        operation.afterCommit?.(false);
        operation.reject(err);
      }
      return;
    }
    // Settling a promise only queues its continuations, so each afterCommit still runs before any waiting code.
    outcomes.forEach((outcome, i) => {
      const operation = operations[i] as QueuedOperation;
      operation.afterCommit?.(outcome.ok);
      if (outcome.ok) operation.resolve(outcome.value as never);
      else operation.reject(outcome.error);
    });
  }
}
