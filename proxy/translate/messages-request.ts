import { isObject, type JsonObject } from '../providers/json-fields.js';
import { toDataUrl } from './data-url.js';
import { malformed, untranslatable } from './translation-error.js';
import type { FunctionTool, ParallelCalls, ToolChoice } from './tool-vocabulary.js';

/**
 * Reading an Anthropic Messages request, the same for every messages → provider pair: text
 * content, image sources, client tools and tool choice. What cannot be read throws a 400
 * naming the field.
 */

/** Text content (`system`, a `tool_result`'s content): a string, or text blocks joined by newlines. */
export function messagesText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content blocks.');
  return content.map((block, i) => {
    if (!isObject(block) || block['type'] !== 'text' || typeof block['text'] !== 'string') throw untranslatable(`${param}[${i}]`, 'only text blocks are allowed here.');
    return block['text'];
  }).join('\n');
}

/** An image or document block's source as a URL (base64 as a `data:` URL), with the field to name if the target refuses it. */
export function blockSourceUrl(block: JsonObject, param: string): { url: string; param: string } {
  const source = isObject(block['source']) ? block['source'] : {};
  if (source['type'] === 'base64' && typeof source['media_type'] === 'string' && typeof source['data'] === 'string') return { url: toDataUrl(source['media_type'], source['data']), param: `${param}.source` };
  if (source['type'] === 'url' && typeof source['url'] === 'string') return { url: source['url'], param: `${param}.source.url` };
  throw untranslatable(`${param}.source`, 'only base64 and url sources translate.');
}

/** `tools`: client tools with an `input_schema` (no server tools such as web search). */
export function messagesTools(value: unknown): FunctionTool[] {
  if (!Array.isArray(value)) throw malformed('tools', 'must be an array.');
  return value.map((tool, i) => {
    if (!isObject(tool) || (tool['type'] !== undefined && tool['type'] !== 'custom') || !isObject(tool['input_schema'])) {
      throw untranslatable(`tools[${i}]`, 'only client tools with an input_schema translate (no server tools).');
    }
    return { name: tool['name'], description: tool['description'], schema: tool['input_schema'] };
  });
}

/** `tool_choice` (`{type: auto|any|none}` or `{type:"tool", name}`) and its `disable_parallel_tool_use`. */
export function messagesToolChoice(value: unknown): { choice: ToolChoice | undefined; parallel: ParallelCalls } {
  if (value === undefined || value === null) return { choice: undefined, parallel: undefined };
  if (!isObject(value)) throw malformed('tool_choice', 'must be an object.');
  const type = value['type'];
  let choice: ToolChoice;
  if (type === 'auto' || type === 'none') choice = { mode: type };
  else if (type === 'any') choice = { mode: 'required' };
  else if (type === 'tool' && typeof value['name'] === 'string') choice = { mode: 'required', named: value['name'] };
  else throw untranslatable('tool_choice.type', 'use auto, any, none or tool.');
  return { choice, parallel: value['disable_parallel_tool_use'] === true ? false : undefined };
}
