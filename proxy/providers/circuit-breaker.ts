/**
 * A short circuit breaker per provider endpoint (a base URL), so a dead provider costs one
 * timeout, not one per request: after `failureThreshold` consecutive failures (connection
 * errors, timeouts, 5xx — never 4xx or 429, which speak about one key or one request) the
 * endpoint is skipped for `openMs`; then one request is let through as a probe (half-open):
 * its success closes the circuit, its failure opens it again. State is per process: each
 * instance learns on its own, at the cost of one timeout each.
 */

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly now?: () => number;
}

interface EndpointState {
  failures: number;
  /** While open: when the next probe may go. */
  openUntil: number;
  probing: boolean;
}

/** What `admit` answers: go ahead (a probe or a normal call), or skip with the wait left. */
export type Admission = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export class CircuitBreakers {
  readonly #options: Required<CircuitBreakerOptions>;
  readonly #states = new Map<string, EndpointState>();

  constructor(options: CircuitBreakerOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** Whether a call to `endpoint` may go now; a half-open endpoint admits one probe at a time. */
  admit(endpoint: string): Admission {
    const state = this.#states.get(endpoint);
    if (!state || state.failures < this.#options.failureThreshold) return { allowed: true };
    const wait = state.openUntil - this.#options.now();
    if (wait > 0) return { allowed: false, retryAfterMs: wait };
    if (state.probing) return { allowed: false, retryAfterMs: this.#options.openMs };
    state.probing = true;
    return { allowed: true };
  }

  /** The endpoint answered: the circuit closes. */
  success(endpoint: string): void {
    this.#states.delete(endpoint);
  }

  /** The endpoint failed (transport error, timeout, 5xx): one more consecutive failure. */
  failure(endpoint: string): void {
    const state = this.#states.get(endpoint) ?? { failures: 0, openUntil: 0, probing: false };
    state.failures++;
    state.probing = false;
    if (state.failures >= this.#options.failureThreshold) state.openUntil = this.#options.now() + this.#options.openMs;
    this.#states.set(endpoint, state);
  }

  /** `open`, `half_open` (a probe may go) or `closed`, for tests and /metrics. */
  state(endpoint: string): 'open' | 'half_open' | 'closed' {
    const state = this.#states.get(endpoint);
    if (!state || state.failures < this.#options.failureThreshold) return 'closed';
    return state.openUntil > this.#options.now() ? 'open' : 'half_open';
  }
}
