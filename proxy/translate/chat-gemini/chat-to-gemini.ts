import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { chatText, chatToolCall, chatToolChoice, chatTools, walkChatMessages } from '../chat-request.js';
import { ContentsBuilder, mediaPart, type GeminiPart } from '../gemini/gemini-contents.js';
import { functionDeclarations, geminiToolConfig, stopSequences } from '../gemini/gemini-request.js';

/**
 * OpenAI Chat Completions request → Gemini `generateContent` body (WIRE-GEMINI.md §6):
 * system/developer messages → `systemInstruction`; assistant → `model` turns; tool messages →
 * `functionResponse` parts in a user turn (name recovered from the earlier call);
 * `response_format` → `responseMimeType` / `responseJsonSchema`.
 */

const IGNORED = new Set(['model', 'messages', 'stream', 'stream_options', 'store', 'metadata', 'service_tier', 'user', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'n']);

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
  if (message['content'] !== undefined && message['content'] !== null) parts.push({ text: chatText(message['content'], `${param}.content`) });
  const calls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  calls.forEach((call, j) => {
    const { id, name, args } = chatToolCall(call, `${param}.tool_calls[${j}]`);
    parts.push(builder.call(id, String(name), args));
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
  const builder = new ContentsBuilder();
  const system = walkChatMessages(body, 'Gemini', {
    user: (m, param) => builder.add('user', userParts(m['content'], `${param}.content`)),
    assistant: (m, param) => builder.add('model', modelParts(builder, m, param)),
    tool: (m, param) => builder.add('user', [builder.result(m['tool_call_id'], chatText(m['content'] ?? '', `${param}.content`), false, `${param}.tool_call_id`)]),
  });
  const out: JsonObject = { contents: builder.contents };
  if (system.length > 0) out['systemInstruction'] = { parts: system.map((text) => ({ text })) };
  const tools = body['tools'] === undefined || body['tools'] === null ? [] : functionDeclarations(chatTools(body['tools']));
  if (tools.length > 0) out['tools'] = tools;
  const choice = chatToolChoice(body['tool_choice']);
  if (choice) out['toolConfig'] = geminiToolConfig(choice);
  const config = generationConfig(body);
  if (Object.keys(config).length > 0) out['generationConfig'] = config;
  return out;
}
