/** One open reservation: what it holds, in which month, until when unless renewed. */
export interface HeldAmount {
  readonly month: string;
  readonly amountMicroUsd: number;
  expiresAt: number;
}

/** What a tenant's month holds in open reservations. */
export interface HeldTotal {
  amountMicroUsd: number;
  count: number;
}

/**
 * The budget reservations of one process, in memory. A reservation only lives as long as the
 * request that made it, and that request lives in this process: the process that reserves is
 * the one that settles, renews or abandons it. Kept here, a reserve or a release is a few map
 * operations instead of a row written, indexed, committed and deleted again; a process that
 * stops takes its reservations with it, which releases them, as their expiry would have.
 */
export class OpenReservations {
  /** `tenant \n id` → the reservation. */
  readonly #byId = new Map<string, HeldAmount & { readonly tenant: string }>();
  /** `tenant \n month` → totals of the reservations above. */
  readonly #totals = new Map<string, HeldTotal>();

  /** What the month's open reservations hold (zero when there are none). */
  total(tenant: string, month: string): HeldTotal {
    return this.#totals.get(`${tenant}\n${month}`) ?? { amountMicroUsd: 0, count: 0 };
  }

  hold(tenant: string, id: string, held: HeldAmount): void {
    this.#byId.set(`${tenant}\n${id}`, { tenant, ...held });
    const key = `${tenant}\n${held.month}`;
    const total = this.#totals.get(key);
    if (total) {
      total.amountMicroUsd += held.amountMicroUsd;
      total.count++;
    } else {
      this.#totals.set(key, { amountMicroUsd: held.amountMicroUsd, count: 1 });
    }
  }

  /** Removes an open reservation and returns it, or undefined when none is open under that id. */
  take(tenant: string, id: string): HeldAmount | undefined {
    const key = `${tenant}\n${id}`;
    const held = this.#byId.get(key);
    if (!held) return undefined;
    this.#byId.delete(key);
    this.#release(held);
    return held;
  }

  /** Pushes an open reservation's expiry; false when it is not open (settled, expired, unknown). */
  renew(tenant: string, id: string, expiresAt: number): boolean {
    const held = this.#byId.get(`${tenant}\n${id}`);
    if (!held) return false;
    held.expiresAt = expiresAt;
    return true;
  }

  /** Releases every reservation whose expiry has come (its request hung, or a bug lost it). */
  expire(now: number): void {
    for (const [key, held] of this.#byId) {
      if (held.expiresAt > now) continue;
      this.#byId.delete(key);
      this.#release(held);
    }
  }

  #release(held: HeldAmount & { readonly tenant: string }): void {
    const key = `${held.tenant}\n${held.month}`;
    const total = this.#totals.get(key);
    if (!total) return;
    total.amountMicroUsd -= held.amountMicroUsd;
    if (--total.count === 0) this.#totals.delete(key);
  }
}
