import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import { blockSourceUrl, messagesText, messagesTools, messagesToolChoice } from '../messages-request.js';
import { ContentsBuilder, mediaPart, type GeminiPart } from '../gemini/gemini-contents.js';
import { functionDeclarations, geminiToolConfig, stopSequences } from '../gemini/gemini-request.js';

/**
 * Anthropic Messages request → Gemini `generateContent` body (WIRE-GEMINI.md §6): `system` →
 * `systemInstruction`; `tool_use` → `functionCall`; `tool_result` → `functionResponse` (name
 * recovered from the earlier `tool_use`, `is_error` under `error`); `thinking.budget_tokens` →
 * `thinkingConfig.thinkingBudget`. Thinking blocks of earlier answers are not resent.
 */

const IGNORED = new Set(['model', 'messages', 'system', 'max_tokens', 'stream', 'metadata', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'tools', 'tool_choice', 'thinking', 'service_tier']);

function blocksOf(content: unknown, param: string): JsonObject[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw malformed(param, 'must be a string or an array of content blocks.');
  return content.map((b, i) => {
    if (!isObject(b)) throw malformed(`${param}[${i}]`, 'must be an object.');
    return b;
  });
}

function turnParts(builder: ContentsBuilder, role: 'user' | 'assistant', content: unknown, param: string): GeminiPart[] {
  return blocksOf(content, param).flatMap((block, i): GeminiPart[] => {
    const at = `${param}[${i}]`;
    switch (block['type']) {
      case 'text':
        return [{ text: String(block['text'] ?? '') }];
      case 'image':
      case 'document': {
        const source = blockSourceUrl(block, at);
        return [mediaPart(source.url, source.param)];
      }
      case 'tool_use':
        if (role !== 'assistant') break;
        return [builder.call(block['id'], String(block['name']), isObject(block['input']) ? block['input'] : {})];
      case 'tool_result':
        if (role !== 'user') break;
        return [builder.result(block['tool_use_id'], messagesText(block['content'] ?? '', `${at}.content`), block['is_error'] === true, `${at}.tool_use_id`)];
      case 'thinking':
      case 'redacted_thinking':
        if (role === 'assistant') return [];
        break;
    }
    throw untranslatable(`${at}.type`, `content block '${String(block['type'])}' has no Gemini equivalent here.`);
  });
}

function generationConfig(body: Readonly<JsonObject>): JsonObject {
  const config: JsonObject = { maxOutputTokens: body['max_tokens'] };
  if (typeof body['temperature'] === 'number') config['temperature'] = body['temperature'];
  if (typeof body['top_p'] === 'number') config['topP'] = body['top_p'];
  if (typeof body['top_k'] === 'number') config['topK'] = body['top_k'];
  const stop = stopSequences(body['stop_sequences'], 'stop_sequences');
  if (stop) config['stopSequences'] = stop;
  const thinking = body['thinking'];
  if (isObject(thinking) && thinking['type'] === 'enabled') config['thinkingConfig'] = { thinkingBudget: thinking['budget_tokens'] };
  return config;
}

/** The Gemini body (the model goes in the URL) from an Anthropic Messages body. */
export function messagesToGemini(body: Readonly<JsonObject>): JsonObject {
  refuseUnmapped(body, IGNORED, 'Gemini');
  const turns = body['messages'];
  if (!Array.isArray(turns)) throw malformed('messages', 'is required and must be an array.');
  const builder = new ContentsBuilder();
  turns.forEach((turn, i) => {
    const param = `messages[${i}]`;
    if (!isObject(turn) || (turn['role'] !== 'user' && turn['role'] !== 'assistant')) throw untranslatable(`${param}.role`, 'only user and assistant turns translate.');
    builder.add(turn['role'] === 'user' ? 'user' : 'model', turnParts(builder, turn['role'], turn['content'], `${param}.content`));
  });
  const out: JsonObject = { contents: builder.contents };
  const system = body['system'];
  if (system !== undefined && system !== null) {
    const said = messagesText(system, 'system');
    if (said.length > 0) out['systemInstruction'] = { parts: [{ text: said }] };
  }
  const declared = body['tools'] === undefined || body['tools'] === null ? [] : functionDeclarations(messagesTools(body['tools']));
  if (declared.length > 0) out['tools'] = declared;
  const { choice } = messagesToolChoice(body['tool_choice']);
  if (choice) out['toolConfig'] = geminiToolConfig(choice);
  out['generationConfig'] = generationConfig(body);
  return out;
}
