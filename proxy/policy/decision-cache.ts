/** What the policy decided for one input: the part of a decision that does not change per request. */
export interface Evaluated {
  readonly allow: boolean;
  readonly reasons: readonly string[];
}

export interface DecisionCacheOptions {
  /** Inputs remembered at most, all tenants together. */
  readonly maxEntries?: number;
  /** Inputs remembered at most per tenant, so one busy tenant cannot take every slot. */
  readonly maxPerTenant?: number;
}

/**
 * Decisions of the current second, by input text. The policy is a pure function of its input
 * and the bundle's data: the WASM SDK has no clock, network or randomness builtins, and time
 * comes in the input with second precision. So an input seen before in the same second decides
 * the same way, and a sidecar under load sees the same input (same key, tier, IP and second)
 * many times a second. The input text is the key and carries the tenant, so a tenant can only
 * ever hit its own entries.
 *
 * Everything is forgotten when the second changes, so the cache never holds more than one
 * second's inputs, and an entry can never be used again once its second has passed (the key
 * holds the time anyway). The owner drops the cache when the bundle changes.
 */
export class DecisionCache {
  readonly #maxEntries: number;
  readonly #maxPerTenant: number;
  readonly #decisions = new Map<string, Evaluated>();
  readonly #perTenant = new Map<string, number>();
  #second = '';

  constructor(options: DecisionCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 4_096;
    this.#maxPerTenant = options.maxPerTenant ?? 256;
  }

  /** The decision remembered for `inputText` in `second` (the input's own `request.time`). */
  get(second: string, inputText: string): Evaluated | undefined {
    if (second !== this.#second) {
      this.clear();
      this.#second = second;
      return undefined;
    }
    return this.#decisions.get(inputText);
  }

  /** Remembers a decision, unless its second is over or the tenant or the cache is full. */
  set(second: string, tenant: string, inputText: string, evaluated: Evaluated): void {
    if (second !== this.#second || this.#decisions.size >= this.#maxEntries) return;
    const held = this.#perTenant.get(tenant) ?? 0;
    if (held >= this.#maxPerTenant) return;
    this.#perTenant.set(tenant, held + 1);
    this.#decisions.set(inputText, evaluated);
  }

  clear(): void {
    this.#decisions.clear();
    this.#perTenant.clear();
  }

  /** Inputs held now, for tests. */
  get size(): number {
    return this.#decisions.size;
  }
}
