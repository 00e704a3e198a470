import type { RouteKind } from '../core/vocabulary.js';

/** What bounds a request's output: its route, the client's cap, and how many choices it asked for. */
export interface OutputCapInput {
  readonly route: RouteKind;
  /** `max_tokens`, `max_completion_tokens`, `max_output_tokens`; undefined when the client set none. */
  readonly maxTokens: number | undefined;
  /** `n` on chat; 1 elsewhere. */
  readonly choices: number;
}

/**
 * The most output tokens a request can be billed for: the client's cap times its choices, or,
 * when the client set no cap, `defaultMaxTokens` — which the budget stage then writes into the
 * forwarded body so the provider honours the same bound. Embeddings produce no output tokens.
 */
export function outputTokenBound(input: OutputCapInput, defaultMaxTokens: number | undefined): number {
  if (input.route === 'embeddings' || input.route === 'models') return 0;
  return (input.maxTokens ?? defaultMaxTokens ?? 0) * input.choices;
}
