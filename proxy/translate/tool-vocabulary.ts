/**
 * Tools and tool choice in the shape every pair reads them into, whatever the client wrote
 * (OpenAI's nested `function`, Responses' flat function, Anthropic's `input_schema`) and
 * whatever the provider wants. One neutral shape means each client is read once and each
 * provider is written once, instead of once per pair.
 */

/** One function tool: its JSON Schema passes untouched (undefined when the client gave none). */
export interface FunctionTool {
  readonly name: unknown;
  readonly description: unknown;
  readonly schema: unknown;
}

/** OpenAI's tool-choice vocabulary (Anthropic's `any` is `required`); `named` forces one function. */
export interface ToolChoice {
  readonly mode: 'auto' | 'required' | 'none';
  readonly named?: string;
}

/** The client asked to forbid parallel tool calls (`parallel_tool_calls: false`, `disable_parallel_tool_use: true`). */
export type ParallelCalls = boolean | undefined;
