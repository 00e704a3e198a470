/**
 * A short circuit breaker per tenant and provider endpoint (a base URL), so a dead provider
 * costs one timeout per tenant, not one per request: after `failureThreshold` consecutive failures (connection
 * errors, timeouts, 5xx — never 4xx or 429, which speak about one key or one request) the
 * endpoint is skipped for `openMs`; then one request is let through as a probe (half-open):
 * its success closes the circuit, its failure opens it again. State is per process: each
 * instance learns on its own, at the cost of one timeout each.
 */

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly now?: () => number;
  /** Told each time `admit` refuses a call (for the short-circuit counter in /metrics). */
  readonly onShortCircuit?: (endpoint: string) => void;
}

export type BreakerState = 'open' | 'half_open' | 'closed';

/**
 * The breaker key of one tenant's provider endpoint: tenant, type and base URL. Per tenant, so
 * one tenant's failures (its own long requests timing out, say) can never open the circuit for
 * another tenant on the same provider: no tenant can slow another down.
 */
export function breakerEndpoint(tenantId: string, type: string, baseUrl: string): string {
  return `${type}\u0000${baseUrl}\u0000${tenantId}`;
}

/**
 * Labels safe to publish for a breaker key: the provider type and the base URL's origin
 * (scheme, host, port) — never its path, query or user-info, where a key could hide, nor the
 * tenant (labels are tenant-agnostic; /metrics shows the worst state per origin).
 */
export function endpointLabels(endpoint: string): { provider: string; origin: string } {
  const [provider = endpoint, baseUrl = ''] = endpoint.split('\u0000');
  try {
    return { provider, origin: new URL(baseUrl).origin };
  } catch {
    return { provider, origin: 'invalid' };
  }
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
  readonly #options: Required<Omit<CircuitBreakerOptions, 'onShortCircuit'>>;
  readonly #onShortCircuit: ((endpoint: string) => void) | undefined;
  readonly #states = new Map<string, EndpointState>();

  constructor(options: CircuitBreakerOptions) {
    this.#options = { now: Date.now, failureThreshold: options.failureThreshold, openMs: options.openMs, ...(options.now ? { now: options.now } : {}) };
    this.#onShortCircuit = options.onShortCircuit;
  }

  /** Whether a call to `endpoint` may go now; a half-open endpoint admits one probe at a time. */
  admit(endpoint: string): Admission {
    const state = this.#states.get(endpoint);
    if (!state || state.failures < this.#options.failureThreshold) return { allowed: true };
    const wait = state.openUntil - this.#options.now();
    if (wait > 0) return this.#refuse(endpoint, wait);
    if (state.probing) return this.#refuse(endpoint, this.#options.openMs);
    state.probing = true;
    return { allowed: true };
  }

  #refuse(endpoint: string, retryAfterMs: number): Admission {
    this.#onShortCircuit?.(endpoint);
    return { allowed: false, retryAfterMs };
  }

  /** The endpoint answered: the circuit closes (the endpoint stays known, so /metrics shows it closed). */
  success(endpoint: string): void {
    const state = this.#states.get(endpoint);
    if (state) {
      state.failures = 0;
      state.probing = false;
    } else this.#states.set(endpoint, { failures: 0, openUntil: 0, probing: false });
  }

  /** The endpoint failed (transport error, timeout, 5xx): one more consecutive failure. */
  failure(endpoint: string): void {
    const state = this.#states.get(endpoint) ?? { failures: 0, openUntil: 0, probing: false };
    state.failures++;
    state.probing = false;
    if (state.failures >= this.#options.failureThreshold) state.openUntil = this.#options.now() + this.#options.openMs;
    this.#states.set(endpoint, state);
  }

  /** Every endpoint called so far (one entry per configured base URL), with its state now (for /metrics). */
  snapshot(): { endpoint: string; state: BreakerState }[] {
    return [...this.#states.keys()].map((endpoint) => ({ endpoint, state: this.state(endpoint) }));
  }

  /** `open`, `half_open` (a probe may go) or `closed`, for tests and /metrics. */
  state(endpoint: string): BreakerState {
    const state = this.#states.get(endpoint);
    if (!state || state.failures < this.#options.failureThreshold) return 'closed';
    return state.openUntil > this.#options.now() ? 'open' : 'half_open';
  }
}
