import { isObject, tryParseJson, type JsonObject } from '../providers/json-fields.js';
import { malformed, untranslatable } from './translation-error.js';

/**
 * Reading an OpenAI Responses request's `input`, the same for every Responses → provider pair
 * (WIRE.md §4): `instructions` and system/developer items are hoisted, in order; message,
 * `function_call` and `function_call_output` items go to the pair's handlers; `reasoning`
 * items are dropped (they belong to OpenAI's own reasoning state); any other item is a 400.
 */

/** How one pair turns the items into its target's turns. */
export interface ResponsesItemHandlers {
  /** A user or assistant message's content (a string or content parts). */
  message(role: 'user' | 'assistant', content: unknown, param: string): void;
  /** A `function_call` item with its arguments parsed. */
  call(item: JsonObject, args: JsonObject, param: string): void;
  /** A `function_call_output` item with its output as text. */
  output(item: JsonObject, text: string, param: string): void;
  /** The text of text-only content in the target's reading (system items, tool outputs). */
  text(content: unknown, param: string): string;
}

/**
 * Walks `instructions` and `input`; returns the non-empty system texts (instructions first) for
 * the target's one system slot.
 */
export function walkResponsesInput(body: Readonly<JsonObject>, target: string, handlers: ResponsesItemHandlers): string[] {
  const system: string[] = [];
  const instructions = body['instructions'];
  if (typeof instructions === 'string' && instructions.length > 0) system.push(instructions);
  const input = body['input'];
  if (typeof input === 'string') {
    handlers.message('user', input, 'input');
    return system;
  }
  if (!Array.isArray(input)) throw malformed('input', 'must be a string or an array of items.');
  input.forEach((item, i) => {
    const param = `input[${i}]`;
    if (!isObject(item)) throw malformed(param, 'must be an object.');
    const type = item['type'] ?? 'message';
    if (type === 'message') {
      const role = item['role'];
      if (role === 'system' || role === 'developer') {
        const said = handlers.text(item['content'], `${param}.content`);
        if (said.length > 0) system.push(said);
      } else if (role === 'user' || role === 'assistant') handlers.message(role, item['content'], `${param}.content`);
      else throw untranslatable(`${param}.role`, `role '${String(role)}' has no ${target} equivalent.`);
    } else if (type === 'function_call') {
      const args = typeof item['arguments'] === 'string' && item['arguments'].length > 0 ? tryParseJson(item['arguments']) : {};
      if (!isObject(args)) throw malformed(`${param}.arguments`, 'must be a JSON object.');
      handlers.call(item, args, param);
    } else if (type === 'function_call_output') {
      const output = item['output'];
      handlers.output(item, typeof output === 'string' ? output : handlers.text(output, `${param}.output`), param);
    } else if (type !== 'reasoning') {
      throw untranslatable(`${param}.type`, `item '${String(type)}' has no ${target} equivalent.`);
    }
  });
  return system;
}
