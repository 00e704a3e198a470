import { isObject, type JsonObject } from '../providers/json-fields.js';
import { isHttpUrl, parseDataUrl } from './data-url.js';
import { malformed, untranslatable } from './translation-error.js';
import type { FunctionTool, ToolChoice } from './tool-vocabulary.js';

/** Anthropic Messages request pieces every OpenAI → Anthropic pair builds the same way (WIRE.md §7). */

/** LiteLLM's `DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS`: Anthropic refuses a request without a cap. */
export const DEFAULT_MAX_TOKENS = 4096;

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

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** An image (or PDF) URL as an Anthropic block: base64 JPEG/PNG/GIF/WebP → image, base64 PDF → document, http(s) → url image. */
export function anthropicMedia(url: string, param: string): AnthropicBlock {
  const inline = parseDataUrl(url);
  if (inline && IMAGE_TYPES.has(inline.mediaType)) return { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  if (inline && inline.mediaType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  if (!inline && isHttpUrl(url)) return { type: 'image', source: { type: 'url', url } };
  throw untranslatable(param, 'Anthropic takes http(s) URLs or base64 JPEG, PNG, GIF, WebP and PDF data.');
}

/**
 * Content (a string or parts) as Anthropic blocks; `part` reads one part of the client's
 * vocabulary, undefined when the part has no Anthropic equivalent. Empty text is dropped
 * (Anthropic rejects empty text blocks).
 */
export function anthropicContent(content: unknown, param: string, part: (part: JsonObject, param: string) => AnthropicBlock | undefined): AnthropicBlock[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content parts.');
  return content.map((p, i): AnthropicBlock => {
    const at = `${param}[${i}]`;
    if (!isObject(p)) throw malformed(at, 'must be an object.');
    const block = part(p, at);
    if (block === undefined) throw untranslatable(`${at}.type`, `content part '${String(p['type'])}' has no Anthropic equivalent.`);
    return block;
  }).filter((b) => b['type'] !== 'text' || b['text'] !== '');
}

/** An Anthropic tool from a function tool (a missing schema becomes an empty object schema). */
export function anthropicTool(tool: FunctionTool): AnthropicBlock {
  const schema = isObject(tool.schema) ? tool.schema : { type: 'object', properties: {} };
  const out: AnthropicBlock = { name: tool.name, input_schema: schema };
  if (typeof tool.description === 'string') out['description'] = tool.description;
  return out;
}

/** `tool_choice` (`required` is `any`, a named function is `tool`); `parallel_tool_calls: false` → `disable_parallel_tool_use`. */
export function anthropicToolChoice(choice: ToolChoice | undefined, parallel: unknown): AnthropicBlock | undefined {
  let out: AnthropicBlock | undefined;
  if (choice?.named !== undefined) out = { type: 'tool', name: choice.named };
  else if (choice?.mode === 'required') out = { type: 'any' };
  else if (choice !== undefined) out = { type: choice.mode };
  if (parallel === false && out?.['type'] !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}
