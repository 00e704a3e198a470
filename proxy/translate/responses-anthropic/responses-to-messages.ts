import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { anthropicContent, anthropicMedia, anthropicTool, anthropicToolChoice, DEFAULT_MAX_TOKENS, pushTurn, type AnthropicBlock, type AnthropicTurn } from '../anthropic-request.js';
import type { ToolChoice } from '../tool-vocabulary.js';
import { walkResponsesInput } from '../responses-request.js';

/**
 * OpenAI Responses request → Anthropic Messages request (WIRE.md §4, §7): `instructions` and
 * system/developer items → `system`; message items → turns; `function_call` items →
 * `tool_use`; `function_call_output` items → `tool_result` in a user turn; flat function tools →
 * Anthropic tools. Stored state (`previous_response_id`) cannot be served by another provider.
 */

const IGNORED = new Set(['model', 'input', 'instructions', 'max_output_tokens', 'stream', 'store', 'metadata', 'temperature', 'top_p', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'text', 'truncation', 'service_tier', 'include']);

type Block = AnthropicBlock;
type Turn = AnthropicTurn;

function inputPart(part: JsonObject, param: string): Block | undefined {
  if ((part['type'] === 'input_text' || part['type'] === 'output_text') && typeof part['text'] === 'string') return { type: 'text', text: part['text'] };
  if (part['type'] !== 'input_image') return undefined;
  const url = part['image_url'];
  if (typeof url !== 'string') throw untranslatable(`${param}.image_url`, 'only image URLs translate (no file ids).');
  return anthropicMedia(url, `${param}.image_url`);
}

function contentBlocks(content: unknown, param: string): Block[] {
  return anthropicContent(content, param, inputPart);
}

function textOf(content: unknown, param: string): string {
  return contentBlocks(content, param).map((b) => {
    if (b['type'] !== 'text') throw untranslatable(param, 'only text is allowed here.');
    return String(b['text']);
  }).join('\n');
}

function convertItems(body: Readonly<JsonObject>): { system: string[]; turns: Turn[] } {
  const turns: Turn[] = [];
  const system = walkResponsesInput(body, 'Anthropic', {
    message: (role, content, param) => pushTurn(turns, role, contentBlocks(content, param)),
    call: (item, input) => pushTurn(turns, 'assistant', [{ type: 'tool_use', id: item['call_id'], name: item['name'], input }]),
    output: (item, text) => pushTurn(turns, 'user', [{ type: 'tool_result', tool_use_id: item['call_id'], content: text }]),
    text: textOf,
  });
  return { system, turns };
}

function tools(value: unknown): Block[] {
  if (!Array.isArray(value)) throw malformed('tools', 'must be an array.');
  return value.map((tool, i) => {
    if (!isObject(tool) || tool['type'] !== 'function') throw untranslatable(`tools[${i}].type`, 'only function tools translate (no built-in tools).');
    return anthropicTool({ name: tool['name'], description: tool['description'], schema: tool['parameters'] });
  });
}

/** Responses' `tool_choice`: `auto`, `required`, `none` or a flat `{type:"function", name}`. */
function toolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'required' || value === 'none') return { mode: value };
  if (isObject(value) && value['type'] === 'function' && typeof value['name'] === 'string') return { mode: 'required', named: value['name'] };
  throw untranslatable('tool_choice', 'use auto, required, none or a named function.');
}

function refuseUnsupported(body: Readonly<JsonObject>): void {
  refuseUnmapped(body, IGNORED, 'Anthropic', (field) => (field === 'previous_response_id' ? 'stored conversations live at OpenAI; send the whole input instead.' : undefined));
  const format = isObject(body['text']) ? body['text']['format'] : undefined;
  if (isObject(format) && format['type'] !== 'text') throw untranslatable('text.format', 'Anthropic has no JSON mode.');
  const include = body['include'];
  if (Array.isArray(include) && include.length > 0) throw untranslatable('include', 'Anthropic has no equivalent.');
  const temperature = body['temperature'];
  if (typeof temperature === 'number' && temperature > 1) throw untranslatable('temperature', "Anthropic's range is 0 to 1.");
}

/** The Anthropic Messages body for `model` from an OpenAI Responses body. */
export function responsesToMessages(body: Readonly<JsonObject>, model: string, stream: boolean): JsonObject {
  refuseUnsupported(body);
  const { system, turns } = convertItems(body);
  const out: JsonObject = { model, messages: turns, max_tokens: body['max_output_tokens'] ?? DEFAULT_MAX_TOKENS };
  if (system.length > 0) out['system'] = system.map((text): Block => ({ type: 'text', text }));
  if (stream) out['stream'] = true;
  for (const field of ['temperature', 'top_p'] as const) if (typeof body[field] === 'number') out[field] = body[field];
  if (typeof body['user'] === 'string') out['metadata'] = { user_id: body['user'] };
  if (body['tools'] !== undefined && body['tools'] !== null) out['tools'] = tools(body['tools']);
  const choice = anthropicToolChoice(toolChoice(body['tool_choice']), body['parallel_tool_calls']);
  if (choice) out['tool_choice'] = choice;
  return out;
}
