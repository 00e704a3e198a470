import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { ContentsBuilder, mediaPart, type GeminiPart } from '../gemini/gemini-contents.js';
import { functionDeclarations, toolConfig } from '../gemini/gemini-request.js';
import { walkResponsesInput } from '../responses-request.js';

/**
 * OpenAI Responses request → Gemini `generateContent` body (WIRE.md §4, WIRE-GEMINI.md §6):
 * `instructions` and system/developer items → `systemInstruction`; message items → `user` /
 * `model` turns; `function_call` items → `functionCall` parts (the thought signature rides in
 * the call id); `function_call_output` items → `functionResponse` parts (name recovered from
 * the earlier call); flat function tools → `functionDeclarations`; `text.format` → JSON mode.
 * Stored state (`previous_response_id`) cannot be served by another provider.
 */

const IGNORED = new Set(['model', 'input', 'instructions', 'max_output_tokens', 'stream', 'store', 'metadata', 'temperature', 'top_p', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'text', 'truncation', 'service_tier', 'include']);

function parts(content: unknown, param: string): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content parts.');
  return content.map((part, i): GeminiPart => {
    const at = `${param}[${i}]`;
    if (!isObject(part)) throw malformed(at, 'must be an object.');
    if ((part['type'] === 'input_text' || part['type'] === 'output_text') && typeof part['text'] === 'string') return { text: part['text'] };
    if (part['type'] === 'input_image') {
      if (typeof part['image_url'] !== 'string') throw untranslatable(`${at}.image_url`, 'only image URLs translate (no file ids).');
      return mediaPart(part['image_url'], `${at}.image_url`);
    }
    throw untranslatable(`${at}.type`, `content part '${String(part['type'])}' has no Gemini equivalent.`);
  });
}

function textOf(content: unknown, param: string): string {
  return parts(content, param).map((p) => {
    if (typeof p['text'] !== 'string') throw untranslatable(param, 'only text is allowed here.');
    return p['text'];
  }).join('\n');
}

function convertItems(body: Readonly<JsonObject>, builder: ContentsBuilder): string[] {
  return walkResponsesInput(body, 'Gemini', {
    message: (role, content, param) => builder.add(role === 'user' ? 'user' : 'model', parts(content, param)),
    call: (item, args) => builder.add('model', [builder.call(item['call_id'], String(item['name']), args)]),
    output: (item, text, param) => builder.add('user', [builder.result(item['call_id'], text, false, `${param}.call_id`)]),
    text: textOf,
  });
}

function tools(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) throw malformed('tools', 'must be an array.');
  return functionDeclarations(value.map((tool, i) => {
    if (!isObject(tool) || tool['type'] !== 'function') throw untranslatable(`tools[${i}].type`, 'only function tools translate (no built-in tools).');
    return { name: tool['name'], description: tool['description'], schema: tool['parameters'] };
  }));
}

function toolChoice(value: unknown): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto') return toolConfig('AUTO');
  if (value === 'required') return toolConfig('ANY');
  if (value === 'none') return toolConfig('NONE');
  if (isObject(value) && value['type'] === 'function' && typeof value['name'] === 'string') return toolConfig('ANY', value['name']);
  throw untranslatable('tool_choice', 'use auto, required, none or a named function.');
}

function generationConfig(body: Readonly<JsonObject>): JsonObject {
  const config: JsonObject = {};
  if (typeof body['max_output_tokens'] === 'number') config['maxOutputTokens'] = body['max_output_tokens'];
  if (typeof body['temperature'] === 'number') config['temperature'] = body['temperature'];
  if (typeof body['top_p'] === 'number') config['topP'] = body['top_p'];
  const format = isObject(body['text']) ? body['text']['format'] : undefined;
  if (isObject(format) && format['type'] === 'json_object') config['responseMimeType'] = 'application/json';
  else if (isObject(format) && format['type'] === 'json_schema') {
    if (!isObject(format['schema'])) throw malformed('text.format.schema', 'is required.');
    config['responseMimeType'] = 'application/json';
    config['responseJsonSchema'] = format['schema'];
  } else if (isObject(format) && format['type'] !== 'text') throw untranslatable('text.format.type', `format '${String(format['type'])}' has no Gemini equivalent.`);
  return config;
}

function refuseUnsupported(body: Readonly<JsonObject>): void {
  refuseUnmapped(body, IGNORED, 'Gemini', (field) => (field === 'previous_response_id' ? 'stored conversations live at OpenAI; send the whole input instead.' : undefined));
  const include = body['include'];
  if (Array.isArray(include) && include.length > 0) throw untranslatable('include', 'Gemini has no equivalent.');
}

/** The Gemini body (the model goes in the URL) from an OpenAI Responses body. */
export function responsesToGemini(body: Readonly<JsonObject>): JsonObject {
  refuseUnsupported(body);
  const builder = new ContentsBuilder();
  const system = convertItems(body, builder);
  const out: JsonObject = { contents: builder.contents };
  if (system.length > 0) out['systemInstruction'] = { parts: system.map((text): GeminiPart => ({ text })) };
  if (body['tools'] !== undefined && body['tools'] !== null) {
    const declared = tools(body['tools']);
    if (declared.length > 0) out['tools'] = declared;
  }
  const choice = toolChoice(body['tool_choice']);
  if (choice) out['toolConfig'] = choice;
  const config = generationConfig(body);
  if (Object.keys(config).length > 0) out['generationConfig'] = config;
  return out;
}
