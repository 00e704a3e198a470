import type Database from 'better-sqlite3';

/** What one batch adds to one tenant's month. */
interface MonthDelta {
  readonly tenant: string;
  readonly month: string;
  spentMicroUsd: number;
  readonly byUser: Map<string, number>;
  readonly byAssistant: Map<string, number>;
  readonly byTier: Map<string, number>;
  /** Alert thresholds first reached by a charge of this batch. */
  readonly alerts: number[];
}

/** One charge's share of a batch. */
export interface ChargeDelta {
  readonly costMicroUsd: number;
  readonly user?: string | undefined;
  readonly assistant?: string | undefined;
  readonly tier?: string | undefined;
}

/** The statements a batch writes with (prepared once by the ledger). */
export interface SpendStatements {
  readonly addMonth: Database.Statement<[string, string, number, number]>;
  readonly addUser: Database.Statement<[string, string, string, number]>;
  readonly addAssistant: Database.Statement<[string, string, string, number]>;
  readonly addTier: Database.Statement<[string, string, string, number]>;
  readonly raiseAlert: Database.Statement<[string, string, number, number]>;
}

function addTo(map: Map<string, number>, key: string | undefined, amount: number): void {
  if (key !== undefined) map.set(key, (map.get(key) ?? 0) + amount);
}

/**
 * The charges of one commit, summed per tenant, month, user, assistant and tier before they are
 * written: N concurrent settles of one tenant write one row per total instead of N upserts per
 * total. A batch that fails to commit runs the undo steps its charges left, newest first.
 */
export class SpendBatch {
  readonly #deltas = new Map<string, MonthDelta>();
  readonly #undo: (() => void)[] = [];

  /** Adds a charge of `tenant`'s `month`. */
  add(tenant: string, month: string, charge: ChargeDelta): void {
    const delta = this.#delta(tenant, month);
    delta.spentMicroUsd += charge.costMicroUsd;
    addTo(delta.byUser, charge.user, charge.costMicroUsd);
    addTo(delta.byAssistant, charge.assistant, charge.costMicroUsd);
    addTo(delta.byTier, charge.tier, charge.costMicroUsd);
  }

  /** Records that a charge of this batch reached `threshold` of the month's cap first. */
  raise(tenant: string, month: string, threshold: number): void {
    this.#delta(tenant, month).alerts.push(threshold);
  }

  /** What this batch adds to the month's spend. */
  spentOf(tenant: string, month: string): number {
    return this.#deltas.get(`${tenant}\n${month}`)?.spentMicroUsd ?? 0;
  }

  /** Thresholds a charge of this batch raised in the month. */
  alertsOf(tenant: string, month: string): readonly number[] {
    return this.#deltas.get(`${tenant}\n${month}`)?.alerts ?? [];
  }

  /** A step that takes back what a charge changed in memory, should the batch not commit. */
  onFailure(undo: () => void): void {
    this.#undo.push(undo);
  }

  /** Takes back every charge of a batch that did not commit. */
  failed(): void {
    for (let i = this.#undo.length - 1; i >= 0; i--) this.#undo[i]?.();
  }

  /** Each month's delta, for memory to follow a commit. */
  *months(): IterableIterator<{ readonly tenant: string; readonly month: string; readonly spentMicroUsd: number; readonly alerts: readonly number[] }> {
    yield* this.#deltas.values();
  }

  /** Writes the sums (inside the caller's transaction). */
  write(statements: SpendStatements, now: number): void {
    for (const delta of this.#deltas.values()) {
      const { tenant, month } = delta;
      statements.addMonth.run(tenant, month, delta.spentMicroUsd, 0);
      for (const [user, spent] of delta.byUser) statements.addUser.run(tenant, month, user, spent);
      for (const [assistant, spent] of delta.byAssistant) statements.addAssistant.run(tenant, month, assistant, spent);
      for (const [tier, spent] of delta.byTier) statements.addTier.run(tenant, month, tier, spent);
      for (const threshold of delta.alerts) statements.raiseAlert.run(tenant, month, threshold, now);
    }
  }

  #delta(tenant: string, month: string): MonthDelta {
    const key = `${tenant}\n${month}`;
    let delta = this.#deltas.get(key);
    if (!delta) {
      delta = { tenant, month, spentMicroUsd: 0, byUser: new Map(), byAssistant: new Map(), byTier: new Map(), alerts: [] };
      this.#deltas.set(key, delta);
    }
    return delta;
  }
}
