import { isObject } from '../../providers/json-fields.js';
import { stringOrBlocks, type PathSegment, type PromptPart } from '../prompt-parts.js';

/**
 * Where prompt text sits in a Chat Completions request: message content (a string or text
 * parts), assistant tool-call arguments (and the legacy `function_call`); tool results are
 * messages like any other. A skill's system prompt becomes a leading system message.
 */
export function chatPromptParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  const messages = body['messages'];
  if (!Array.isArray(messages)) return;
  messages.forEach((message: unknown, i) => {
    if (!isObject(message)) return;
    stringOrBlocks(out, ['messages', i, 'content'], message['content']);
    toolCallArguments(out, ['messages', i, 'tool_calls'], message['tool_calls']);
    const legacy = message['function_call'];
    if (isObject(legacy) && typeof legacy['arguments'] === 'string') out.push({ path: ['messages', i, 'function_call', 'arguments'], text: legacy['arguments'] });
  });
}

/** The `function.arguments` of each entry of a `tool_calls` array (request history and responses alike). */
export function toolCallArguments(out: PromptPart[], path: readonly PathSegment[], calls: unknown): void {
  if (!Array.isArray(calls)) return;
  calls.forEach((call: unknown, k) => {
    const fn = isObject(call) ? call['function'] : undefined;
    if (isObject(fn) && typeof fn['arguments'] === 'string') out.push({ path: [...path, k, 'function', 'arguments'], text: fn['arguments'] });
  });
}

/** A leading system message before everything the client sent. */
export function chatSystemPrompt(body: Record<string, unknown>, prompt: string): void {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  body['messages'] = [{ role: 'system', content: prompt }, ...messages];
}
