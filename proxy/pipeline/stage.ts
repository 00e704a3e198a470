import type { RequestContext } from './context.js';

/**
 * A named pipeline filter. `run` continues by returning, rejects by throwing a GatewayError,
 * and may rewrite the forwarded body through `ctx.mutableBody()`.
 */
export interface Stage {
  readonly name: string;
  run(ctx: RequestContext): void | Promise<void>;
}

/**
 * A stage that always runs after the chain (settle, audit): after success, errors and client
 * disconnects. It must not throw for ordinary failures; what it throws is logged and, before
 * the response started, turned into an error response.
 */
export interface FinalStage {
  readonly name: string;
  run(ctx: RequestContext): void | Promise<void>;
  /**
   * True when the runner may write the answer before this stage runs (nothing the client sees
   * depends on it, and it cannot refuse the request any more). The stages after it run after
   * the answer too.
   */
  answersFirst?(ctx: RequestContext): boolean;
}
