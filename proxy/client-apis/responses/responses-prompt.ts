import { isObject } from '../../providers/json-fields.js';
import { promptBefore } from '../client-format.js';
import { stringOrBlocks, type PromptPart } from '../prompt-parts.js';

/**
 * Where prompt text sits in a Responses request: `instructions`, and `input` as a string or as
 * items (message content, function_call arguments, function/custom tool outputs, custom tool
 * call input). A skill's system prompt goes in front of `instructions`.
 */
export function responsesPromptParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  if (typeof body['instructions'] === 'string') out.push({ path: ['instructions'], text: body['instructions'] });
  const input = body['input'];
  if (typeof input === 'string') {
    out.push({ path: ['input'], text: input });
    return;
  }
  if (!Array.isArray(input)) return;
  input.forEach((item: unknown, i) => {
    if (!isObject(item)) return;
    stringOrBlocks(out, ['input', i, 'content'], item['content']);
    // function_call_output / custom_tool_call_output: a string or input_text parts.
    stringOrBlocks(out, ['input', i, 'output'], item['output']);
    if (typeof item['arguments'] === 'string') out.push({ path: ['input', i, 'arguments'], text: item['arguments'] });
    if (item['type'] === 'custom_tool_call' && typeof item['input'] === 'string') out.push({ path: ['input', i, 'input'], text: item['input'] });
  });
}

/** The skill's prompt first in `instructions`, the client's own after a blank line. */
export function responsesSystemPrompt(body: Record<string, unknown>, prompt: string): void {
  body['instructions'] = promptBefore(prompt, body['instructions']);
}
