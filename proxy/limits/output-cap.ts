/** What bounds a request's output: the client's cap, and how many outputs it asked for. */
export interface OutputCapInput {
  /** `max_tokens`, `max_completion_tokens`, `max_output_tokens`; undefined when the client set none. */
  readonly maxTokens: number | undefined;
  /** Outputs the request asks for (chat `n`, else 1); 0 when its API produces no output tokens (embeddings). */
  readonly choices: number;
}

/**
 * The most output tokens a request can be billed for: the client's cap times its choices, or,
 * when the client set no cap, `defaultMaxTokens` — which the budget stage then writes into the
 * forwarded body so the provider honours the same bound. Embeddings produce no output tokens.
 */
export function outputTokenBound(input: OutputCapInput, defaultMaxTokens: number | undefined): number {
  return (input.maxTokens ?? defaultMaxTokens ?? 0) * input.choices;
}
