import { isObject, tryParseJson, type JsonObject } from '../providers/json-fields.js';
import { malformed, untranslatable } from './translation-error.js';
import type { FunctionTool, ToolChoice } from './tool-vocabulary.js';

/**
 * Reading an OpenAI Chat Completions request, the same for every chat → provider pair: the
 * message walk (system and developer messages hoisted, in order), text content, tool calls,
 * tools and tool choice. Each pair only says how a user, assistant and tool message look in
 * its target. What cannot be read throws a 400 naming the field.
 */

/** Text content: a string, or text (and refusal) parts joined by newlines. */
export function chatText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of text parts.');
  return content.map((part, i) => {
    if (isObject(part) && part['type'] === 'text' && typeof part['text'] === 'string') return part['text'];
    if (isObject(part) && part['type'] === 'refusal' && typeof part['refusal'] === 'string') return part['refusal'];
    throw untranslatable(`${param}[${i}]`, 'only text parts are allowed here.');
  }).join('\n');
}

/** How one pair turns the non-system messages into its target's turns. */
export interface ChatMessageHandlers {
  user(message: JsonObject, param: string): void;
  assistant(message: JsonObject, param: string): void;
  tool(message: JsonObject, param: string): void;
}

/**
 * Walks `messages`: system and developer texts are returned (non-empty ones, in order) for the
 * target's one system slot; the other roles go to the pair's handlers; any other role is a 400.
 */
export function walkChatMessages(body: Readonly<JsonObject>, target: string, handlers: ChatMessageHandlers): string[] {
  const messages = body['messages'];
  if (!Array.isArray(messages)) throw malformed('messages', 'is required and must be an array.');
  const system: string[] = [];
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    if (!isObject(m)) throw malformed(param, 'must be an object.');
    switch (m['role']) {
      case 'system':
      case 'developer': {
        const said = chatText(m['content'], `${param}.content`);
        if (said.length > 0) system.push(said);
        return;
      }
      case 'user':
        return handlers.user(m, param);
      case 'assistant':
        return handlers.assistant(m, param);
      case 'tool':
        return handlers.tool(m, param);
      default:
        throw untranslatable(`${param}.role`, `role '${String(m['role'])}' has no ${target} equivalent.`);
    }
  });
  return system;
}

/** One assistant tool call: its id, name and parsed arguments (an empty string is `{}`). */
export function chatToolCall(call: unknown, param: string): { id: unknown; name: unknown; args: JsonObject } {
  if (!isObject(call) || !isObject(call['function'])) throw malformed(param, 'must be a function tool call.');
  const fn = call['function'];
  const raw = typeof fn['arguments'] === 'string' && fn['arguments'].length > 0 ? fn['arguments'] : '{}';
  const args = tryParseJson(raw);
  if (args === undefined) throw malformed(`${param}.function.arguments`, 'is not valid JSON.');
  if (!isObject(args)) throw malformed(`${param}.function.arguments`, 'must be a JSON object.');
  return { id: call['id'], name: fn['name'], args };
}

/** `tools`: function tools only (`{type:"function", function:{name, description, parameters}}`). */
export function chatTools(value: unknown): FunctionTool[] {
  if (!Array.isArray(value)) throw malformed('tools', 'must be an array.');
  return value.map((tool, i) => {
    if (!isObject(tool) || tool['type'] !== 'function' || !isObject(tool['function'])) throw untranslatable(`tools[${i}].type`, 'only function tools translate.');
    const fn = tool['function'];
    return { name: fn['name'], description: fn['description'], schema: fn['parameters'] };
  });
}

/** `tool_choice`: `auto`, `required`, `none` or `{type:"function", function:{name}}`; absent is undefined. */
export function chatToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'required' || value === 'none') return { mode: value };
  if (isObject(value) && isObject(value['function']) && typeof value['function']['name'] === 'string') return { mode: 'required', named: value['function']['name'] };
  throw untranslatable('tool_choice', 'use auto, required, none or a named function.');
}
