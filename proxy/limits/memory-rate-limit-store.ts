import { assertTenantScope, type TenantScope } from '../identity/tenant-scope.js';
import { systemClock, type Clock } from './month.js';
import {
  DEFAULT_WINDOW_MS,
  mostConstraining,
  type AdmissionHandle,
  type AdmitInput,
  type AdmitResult,
  type DimensionState,
  type LimitDimension,
  type LimitSubject,
  type RateLimitStore,
} from './rate-limit-store.js';

interface TokenEntry {
  readonly at: number;
  tokens: number;
  readonly id: string;
}

/** One subject's sliding window log: request times and token entries, oldest first. */
interface SubjectLog {
  req: number[];
  tok: TokenEntry[];
  readonly tokById: Map<string, TokenEntry>;
  tokSum: number;
}

/**
 * In-process sliding window log (see rate-limit-store.ts for why a log). `admit` runs check and
 * record without awaiting in between, so on Node's single thread it is atomic. Counters are per
 * process: several instances need the Redis store to share limits.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #logs = new Map<string, SubjectLog>();
  readonly #sweeper: NodeJS.Timeout;
  /** Admission ids only need to be unique within this store (handles never leave the process). */
  #nextId = 0;

  constructor(options: { windowMs?: number; clock?: Clock } = {}) {
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#clock = options.clock ?? systemClock;
    // Idle subjects would otherwise stay in memory forever.
    this.#sweeper = setInterval(() => this.#sweep(), this.#windowMs);
    this.#sweeper.unref();
  }

  async admit(scope: TenantScope, input: AdmitInput): Promise<AdmitResult> {
    const tenant = assertTenantScope(scope).tenantId;
    const now = this.#clock();
    const cutoff = now - this.#windowMs;
    const window = this.#windowMs;
    let allowed = true;
    let retryAfterMs = 0;
    let refusedBy: AdmitResult['refusedBy'];
    const refuse = (subject: LimitSubject, dimension: LimitDimension, waitMs: number): void => {
      if (allowed || waitMs > retryAfterMs) refusedBy = { subject, dimension };
      allowed = false;
      retryAfterMs = Math.max(retryAfterMs, waitMs);
    };
    const logs = input.rules.map((rule) => this.#prune(this.#log(tenant, rule.subject), cutoff));
    input.rules.forEach((rule, i) => {
      const log = logs[i] as SubjectLog;
      if (rule.requests !== undefined) {
        const count = log.req.length;
        if (count >= rule.requests) refuse(rule.subject, 'requests', (log.req[count - rule.requests] as number) + window - now);
      }
      if (rule.tokens !== undefined && log.tokSum + input.tokens > rule.tokens) {
        refuse(rule.subject, 'tokens', tokenWait(log, input.tokens, rule.tokens, window, now));
      }
    });
    const id = allowed ? (this.#nextId++).toString(36) : '';
    const tokenSubjects: LimitSubject[] = [];
    const reqStates: DimensionState[] = [];
    const tokStates: DimensionState[] = [];
    input.rules.forEach((rule, i) => {
      const log = logs[i] as SubjectLog;
      if (rule.requests !== undefined) {
        if (allowed) log.req.push(now);
        reqStates.push({ limit: rule.requests, remaining: Math.max(0, rule.requests - log.req.length), resetMs: oldestWait(log.req[0], window, now) });
      }
      if (rule.tokens !== undefined) {
        if (allowed) {
          const entry: TokenEntry = { at: now, tokens: input.tokens, id };
          log.tok.push(entry);
          log.tokById.set(id, entry);
          log.tokSum += input.tokens;
          tokenSubjects.push(rule.subject);
        }
        tokStates.push({ limit: rule.tokens, remaining: Math.max(0, rule.tokens - log.tokSum), resetMs: oldestWait(log.tok[0]?.at, window, now) });
      }
    });
    const result: { -readonly [K in keyof AdmitResult]: AdmitResult[K] } = { allowed, retryAfterMs: allowed ? 0 : retryAfterMs };
    if (refusedBy) result.refusedBy = refusedBy;
    const requests = mostConstraining(reqStates);
    const tokens = mostConstraining(tokStates);
    if (requests) result.requests = requests;
    if (tokens) result.tokens = tokens;
    if (allowed && tokenSubjects.length > 0) result.handle = { id, tokens: input.tokens, subjects: tokenSubjects };
    return result;
  }

  async correctTokens(scope: TenantScope, handle: AdmissionHandle, actualTokens: number): Promise<void> {
    const tenant = assertTenantScope(scope).tenantId;
    const cutoff = this.#clock() - this.#windowMs;
    for (const subject of handle.subjects) {
      const log = this.#logs.get(logKey(tenant, subject));
      const entry = log?.tokById.get(handle.id);
      if (!log || !entry || entry.at <= cutoff) continue;
      log.tokSum += actualTokens - entry.tokens;
      entry.tokens = actualTokens;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#logs.clear();
  }

  #log(tenant: string, subject: LimitSubject): SubjectLog {
    const key = logKey(tenant, subject);
    let log = this.#logs.get(key);
    if (!log) {
      log = { req: [], tok: [], tokById: new Map(), tokSum: 0 };
      this.#logs.set(key, log);
    }
    return log;
  }

  #prune(log: SubjectLog, cutoff: number): SubjectLog {
    let r = 0;
    while (r < log.req.length && (log.req[r] as number) <= cutoff) r++;
    if (r > 0) log.req.splice(0, r);
    let k = 0;
    while (k < log.tok.length && (log.tok[k] as TokenEntry).at <= cutoff) {
      const gone = log.tok[k] as TokenEntry;
      log.tokSum -= gone.tokens;
      log.tokById.delete(gone.id);
      k++;
    }
    if (k > 0) log.tok.splice(0, k);
    return log;
  }

  #sweep(): void {
    const cutoff = this.#clock() - this.#windowMs;
    for (const [key, log] of this.#logs) {
      this.#prune(log, cutoff);
      if (log.req.length === 0 && log.tok.length === 0) this.#logs.delete(key);
    }
  }
}

function logKey(tenant: string, subject: LimitSubject): string {
  return `${tenant}\u0000${subject.kind}\u0000${subject.id}`;
}

function oldestWait(oldest: number | undefined, window: number, now: number): number {
  return oldest === undefined ? 0 : Math.max(0, oldest + window - now);
}

/** How long until enough of the oldest token entries leave the window for `tokens` more to fit. */
function tokenWait(log: SubjectLog, tokens: number, limit: number, window: number, now: number): number {
  if (tokens > limit) return Infinity;
  const excess = log.tokSum + tokens - limit;
  let freed = 0;
  for (const entry of log.tok) {
    freed += entry.tokens;
    if (freed >= excess) return Math.max(0, entry.at + window - now);
  }
  return window;
}
