import { isObject, tryParseJson, type JsonObject } from '../../providers/json-fields.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { ContentsBuilder, mediaPart, type GeminiPart } from '../gemini/gemini-contents.js';
import { functionDeclarations, stopSequences, toolConfig } from '../gemini/gemini-request.js';

/**
 * OpenAI Chat Completions request → Gemini `generateContent` body (WIRE-GEMINI.md §6):
 * system/developer messages → `systemInstruction`; assistant → `model` turns; tool messages →
 * `functionResponse` parts in a user turn (name recovered from the earlier call);
 * `response_format` → `responseMimeType` / `responseJsonSchema`.
 */

const IGNORED = new Set(['model', 'messages', 'stream', 'stream_options', 'store', 'metadata', 'service_tier', 'user', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'n']);

function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of text parts.');
  return content.map((p, i) => {
    if (!isObject(p) || (p['type'] !== 'text' && p['type'] !== 'refusal')) throw untranslatable(`${param}[${i}]`, 'only text parts are allowed here.');
    return String(p['text'] ?? p['refusal'] ?? '');
  }).join('\n');
}

function userParts(content: unknown, param: string): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content parts.');
  return content.map((part, j) => {
    const at = `${param}[${j}]`;
    if (!isObject(part)) throw malformed(at, 'must be an object.');
    if (part['type'] === 'text' && typeof part['text'] === 'string') return { text: part['text'] };
    if (part['type'] === 'image_url') {
      const image = part['image_url'];
      const url = isObject(image) ? image['url'] : image;
      if (typeof url !== 'string') throw malformed(`${at}.image_url.url`, 'is required.');
      return mediaPart(url, `${at}.image_url.url`);
    }
    throw untranslatable(`${at}.type`, `content part '${String(part['type'])}' has no Gemini equivalent.`);
  });
}

function modelParts(builder: ContentsBuilder, message: JsonObject, param: string): GeminiPart[] {
  const parts: GeminiPart[] = [];
  if (message['content'] !== undefined && message['content'] !== null) parts.push({ text: textOf(message['content'], `${param}.content`) });
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  calls.forEach((call, j) => {
    const at = `${param}.tool_calls[${j}]`;
    if (!isObject(call) || !isObject(call['function'])) throw malformed(at, 'must be a function tool call.');
    const fn = call['function'];
    const args = typeof fn['arguments'] === 'string' && fn['arguments'].length > 0 ? tryParseJson(fn['arguments']) : {};
    if (!isObject(args)) throw malformed(`${at}.function.arguments`, 'must be a JSON object.');
    parts.push(builder.call(call['id'], String(fn['name']), args));
  });
  return parts;
}

function generationConfig(body: Readonly<JsonObject>): JsonObject {
  const config: JsonObject = {};
  const max = body['max_completion_tokens'] ?? body['max_tokens'];
  if (typeof max === 'number') config['maxOutputTokens'] = max;
  if (typeof body['temperature'] === 'number') config['temperature'] = body['temperature'];
  if (typeof body['top_p'] === 'number') config['topP'] = body['top_p'];
  if (typeof body['seed'] === 'number') config['seed'] = body['seed'];
  if (typeof body['presence_penalty'] === 'number' && body['presence_penalty'] !== 0) config['presencePenalty'] = body['presence_penalty'];
  if (typeof body['frequency_penalty'] === 'number' && body['frequency_penalty'] !== 0) config['frequencyPenalty'] = body['frequency_penalty'];
  const stop = stopSequences(body['stop'], 'stop');
  if (stop) config['stopSequences'] = stop;
  const format = body['response_format'];
  if (isObject(format) && format['type'] === 'json_object') config['responseMimeType'] = 'application/json';
  else if (isObject(format) && format['type'] === 'json_schema') {
    const schema = isObject(format['json_schema']) ? format['json_schema']['schema'] : undefined;
    if (!isObject(schema)) throw malformed('response_format.json_schema.schema', 'is required.');
    config['responseMimeType'] = 'application/json';
    config['responseJsonSchema'] = schema;
  }
  return config;
}

function refuseUnsupported(body: Readonly<JsonObject>): void {
  refuseUnmapped(body, IGNORED, 'Gemini');
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw untranslatable('n', 'the gateway returns one Gemini candidate.');
}

/** The Gemini body (the model goes in the URL) from an OpenAI chat body. */
export function chatToGemini(body: Readonly<JsonObject>): JsonObject {
  refuseUnsupported(body);
  const messages = body['messages'];
  if (!Array.isArray(messages)) throw malformed('messages', 'is required and must be an array.');
  const builder = new ContentsBuilder();
  const system: GeminiPart[] = [];
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    if (!isObject(m)) throw malformed(param, 'must be an object.');
    switch (m['role']) {
      case 'system':
      case 'developer': {
        const said = textOf(m['content'], `${param}.content`);
        if (said.length > 0) system.push({ text: said });
        return;
      }
      case 'user':
        return builder.add('user', userParts(m['content'], `${param}.content`));
      case 'assistant':
        return builder.add('model', modelParts(builder, m, param));
      case 'tool':
        return builder.add('user', [builder.result(m['tool_call_id'], textOf(m['content'] ?? '', `${param}.content`), false, `${param}.tool_call_id`)]);
      default:
        throw untranslatable(`${param}.role`, `role '${String(m['role'])}' has no Gemini equivalent.`);
    }
  });
  const out: JsonObject = { contents: builder.contents };
  if (system.length > 0) out['systemInstruction'] = { parts: system };
  const tools = Array.isArray(body['tools']) ? body['tools'] : [];
  out['tools'] = functionDeclarations(tools.map((tool, i) => {
    if (!isObject(tool) || tool['type'] !== 'function' || !isObject(tool['function'])) throw untranslatable(`tools[${i}].type`, 'only function tools translate.');
    return { name: tool['function']['name'], description: tool['function']['description'], schema: tool['function']['parameters'] };
  }));
  if ((out['tools'] as unknown[]).length === 0) delete out['tools'];
  const choice = body['tool_choice'];
  if (choice === 'auto') out['toolConfig'] = toolConfig('AUTO');
  else if (choice === 'required') out['toolConfig'] = toolConfig('ANY');
  else if (choice === 'none') out['toolConfig'] = toolConfig('NONE');
  else if (isObject(choice) && isObject(choice['function']) && typeof choice['function']['name'] === 'string') out['toolConfig'] = toolConfig('ANY', choice['function']['name']);
  else if (choice !== undefined && choice !== null) throw untranslatable('tool_choice', 'use auto, required, none or a named function.');
  const config = generationConfig(body);
  if (Object.keys(config).length > 0) out['generationConfig'] = config;
  return out;
}
