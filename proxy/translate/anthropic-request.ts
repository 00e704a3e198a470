import type { JsonObject } from '../providers/json-fields.js';

/** Anthropic Messages request pieces every OpenAI → Anthropic pair builds the same way (WIRE.md §7). */

export type AnthropicBlock = JsonObject;
export interface AnthropicTurn {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

/** Adds blocks to the conversation, merged into the previous turn of the same role (tool results must directly follow their calls). */
export function pushTurn(turns: AnthropicTurn[], role: AnthropicTurn['role'], blocks: AnthropicBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** An Anthropic tool from a function definition. */
export function anthropicTool(name: unknown, description: unknown, parameters: unknown): AnthropicBlock {
  const schema = typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters) ? parameters : { type: 'object', properties: {} };
  const out: AnthropicBlock = { name, input_schema: schema };
  if (typeof description === 'string') out['description'] = description;
  return out;
}

/**
 * `tool_choice` from OpenAI's vocabulary (`auto`, `required`, `none`, or one named function,
 * given as its name) and `parallel_tool_calls: false` → `disable_parallel_tool_use`.
 */
export function anthropicToolChoice(mode: 'auto' | 'required' | 'none' | undefined, named: string | undefined, parallel: unknown): AnthropicBlock | undefined {
  let choice: AnthropicBlock | undefined;
  if (named !== undefined) choice = { type: 'tool', name: named };
  else if (mode === 'auto') choice = { type: 'auto' };
  else if (mode === 'required') choice = { type: 'any' };
  else if (mode === 'none') choice = { type: 'none' };
  if (parallel === false && choice?.['type'] !== 'none') choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return choice;
}
