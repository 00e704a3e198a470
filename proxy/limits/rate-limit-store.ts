import type { TenantScope } from '../identity/tenant-scope.js';

/**
 * Rate-limit counters, scoped by tenant. Both implementations use a sliding window log: every
 * admitted request is recorded with its time, and a request is admitted only while fewer than
 * N requests (and no more than the token limit's tokens) were admitted in the last window. Unlike
 * fixed windows (2N across a boundary) or sliding-window counters (an interpolation), the log is
 * exact — N per window, never N+1, under any interleaving — at the cost of O(N) memory per
 * subject, which is small for per-minute limits. The check and the record are one atomic step
 * (a single synchronous section in memory, one Lua script in Redis) so concurrency cannot
 * overshoot, and in Redis all instances share one log.
 */

/** Who a counter belongs to within the tenant. */
export interface LimitSubject {
  readonly kind: 'user' | 'key' | 'tenant';
  /** User id, key id; empty for the tenant-wide counter. */
  readonly id: string;
}

/** One set of limits to enforce; a limit left undefined is not counted. */
export interface RateLimitRule {
  readonly subject: LimitSubject;
  /** Requests per window. */
  readonly requests?: number;
  /** Tokens per window (estimated at admission, corrected at settle). */
  readonly tokens?: number;
}

export interface AdmitInput {
  readonly rules: readonly RateLimitRule[];
  /** Estimated tokens of this request (input + output bound). */
  readonly tokens: number;
}

/** The most constraining rule's state for one dimension, after this admission when it was allowed. */
export interface DimensionState {
  readonly limit: number;
  readonly remaining: number;
  /** Until the oldest entry in the window leaves it, i.e. until capacity starts to return (0 if empty). */
  readonly resetMs: number;
}

export type LimitDimension = 'requests' | 'tokens';

/** Lets settle correct the token estimate of an admitted request. */
export interface AdmissionHandle {
  readonly id: string;
  readonly tokens: number;
  readonly subjects: readonly LimitSubject[];
}

export interface AdmitResult {
  readonly allowed: boolean;
  /** When refused: ms until the request would fit. `Infinity` when it never can (its token estimate exceeds the limit). */
  readonly retryAfterMs: number;
  readonly refusedBy?: { readonly subject: LimitSubject; readonly dimension: LimitDimension };
  readonly requests?: DimensionState;
  readonly tokens?: DimensionState;
  /** Present when allowed and a token limit applies. */
  readonly handle?: AdmissionHandle;
}

export interface RateLimitStore {
  /** Checks every rule and, only when all pass, records the request in all of them, atomically. */
  admit(scope: TenantScope, input: AdmitInput): Promise<AdmitResult>;
  /** Replaces an admitted request's token estimate with its real count (no-op once it left the window). */
  correctTokens(scope: TenantScope, handle: AdmissionHandle, actualTokens: number): Promise<void>;
  close(): Promise<void>;
}

/** Default window: limits are configured per minute. */
export const DEFAULT_WINDOW_MS = 60_000;

/** Picks, per dimension, the rule state with the fewest remaining (then the lowest limit). */
export function mostConstraining(states: readonly DimensionState[]): DimensionState | undefined {
  let best: DimensionState | undefined;
  for (const s of states) {
    if (!best || s.remaining < best.remaining || (s.remaining === best.remaining && s.limit < best.limit)) best = s;
  }
  return best;
}
