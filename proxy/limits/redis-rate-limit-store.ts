import { randomBytes } from 'node:crypto';
import type { TenantScope } from '../identity/tenant-scope.js';
import { LuaScripts, type RedisClient } from './redis-connection.js';
import { rateLimitKeys } from './redis-keys.js';
import { ADMIT_LUA, CORRECT_LUA } from './rate-limit-lua.js';
import {
  DEFAULT_WINDOW_MS,
  mostConstraining,
  type AdmissionHandle,
  type AdmitInput,
  type AdmitResult,
  type DimensionState,
  type LimitSubject,
  type RateLimitStore,
} from './rate-limit-store.js';

/** Slack past the window before an idle log expires on its own. */
const TTL_SLACK_MS = 1000;

/**
 * Sliding window log in Redis, shared by every gateway instance (see rate-limit-store.ts and
 * rate-limit-lua.ts). One script call per admission checks and records all rules atomically.
 * The client is owned by the caller (the factory), which closes it.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #scripts: LuaScripts<'wjRateAdmit' | 'wjRateCorrect'>;
  readonly #windowMs: number;

  constructor(client: RedisClient, options: { windowMs?: number } = {}) {
    this.#windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#scripts = new LuaScripts(client, { wjRateAdmit: ADMIT_LUA, wjRateCorrect: CORRECT_LUA });
  }

  async admit(scope: TenantScope, input: AdmitInput): Promise<AdmitResult> {
    const keys: string[] = [];
    const args: (string | number)[] = [this.#windowMs * 1000, randomBytes(9).toString('base64url'), Math.max(0, Math.round(input.tokens)), this.#windowMs + TTL_SLACK_MS];
    for (const rule of input.rules) {
      const k = rateLimitKeys(scope, rule.subject);
      keys.push(k.req, k.tok, k.sum);
      args.push(rule.requests ?? 0, rule.tokens ?? 0);
    }
    if (keys.length === 0) return { allowed: true, retryAfterMs: 0 };
    const reply = (await this.#scripts.run('wjRateAdmit', keys, args)) as number[];
    const allowed = reply[0] === 1;
    const retryUs = reply[1] as number;
    const reqStates: DimensionState[] = [];
    const tokStates: DimensionState[] = [];
    const tokenSubjects: LimitSubject[] = [];
    input.rules.forEach((rule, i) => {
      const at = 4 + i * 4;
      if (rule.requests !== undefined) reqStates.push({ limit: rule.requests, remaining: reply[at] as number, resetMs: usToMs(reply[at + 1] as number) });
      if (rule.tokens !== undefined) {
        tokStates.push({ limit: rule.tokens, remaining: reply[at + 2] as number, resetMs: usToMs(reply[at + 3] as number) });
        tokenSubjects.push(rule.subject);
      }
    });
    const result: { -readonly [K in keyof AdmitResult]: AdmitResult[K] } = {
      allowed,
      retryAfterMs: allowed ? 0 : retryUs < 0 ? Infinity : usToMs(retryUs),
    };
    const refusedRule = input.rules[(reply[2] as number) - 1];
    if (!allowed && refusedRule) result.refusedBy = { subject: refusedRule.subject, dimension: reply[3] === 2 ? 'tokens' : 'requests' };
    const requests = mostConstraining(reqStates);
    const tokens = mostConstraining(tokStates);
    if (requests) result.requests = requests;
    if (tokens) result.tokens = tokens;
    if (allowed && tokenSubjects.length > 0) result.handle = { id: args[1] as string, tokens: args[2] as number, subjects: tokenSubjects };
    return result;
  }

  async correctTokens(scope: TenantScope, handle: AdmissionHandle, actualTokens: number): Promise<void> {
    const actual = Math.max(0, Math.round(actualTokens));
    if (handle.subjects.length === 0 || actual === handle.tokens) return;
    const keys: string[] = [];
    for (const subject of handle.subjects) {
      const k = rateLimitKeys(scope, subject);
      keys.push(k.tok, k.sum);
    }
    await this.#scripts.run('wjRateCorrect', keys, [handle.id, handle.tokens, actual, this.#windowMs + TTL_SLACK_MS]);
  }

  async close(): Promise<void> {
    // The client belongs to the factory that created it.
  }
}

function usToMs(us: number): number {
  return Math.ceil(us / 1000);
}
