import type { JsonObject } from '../json-fields.js';
import { isObject } from '../json-fields.js';

/** What the demo provider needs from a request, in any of the three request formats. */
export interface DemoConversation {
  /** Text of the last user turn ('' when none). */
  readonly lastUserText: string;
  /** The last turn is a tool result (so the demo answers in text instead of calling again). */
  readonly afterToolResult: string | undefined;
  /** Rough prompt size in tokens (~4 characters a token, plus a few per message). */
  readonly promptTokens: number;
  /** The tool to call, when the request forces one or the user's text names one. */
  readonly tool: { readonly name: string; readonly schema: unknown } | undefined;
  readonly maxTokens: number | undefined;
  /** The system instructions the model got first (`system`, `instructions` or a leading system message); '' when none. */
  readonly instructions: string;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (isObject(part) && typeof part['text'] === 'string' && part['type'] !== 'tool_result') text += part['text'];
  }
  return text;
}

function charCount(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + charCount(v), 0);
  if (isObject(value)) return Object.values(value).reduce<number>((n, v) => n + charCount(v), 0);
  return 0;
}

/** Estimated tokens of a text (the demo has no tokenizer; ~4 characters a token). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function toolResultText(turns: unknown[]): string | undefined {
  const last = turns[turns.length - 1];
  if (!isObject(last)) return undefined;
  if (last['role'] === 'tool') return textOf(last['content']);
  if (last['type'] === 'function_call_output') return typeof last['output'] === 'string' ? last['output'] : JSON.stringify(last['output']);
  if (last['role'] === 'user' && Array.isArray(last['content'])) {
    for (const block of last['content']) {
      if (isObject(block) && block['type'] === 'tool_result') return textOf(block['content']) || JSON.stringify(block['content'] ?? '');
    }
  }
  return undefined;
}

function toolsOf(body: JsonObject): { name: string; schema: unknown }[] {
  const tools = Array.isArray(body['tools']) ? body['tools'] : [];
  const out: { name: string; schema: unknown }[] = [];
  for (const tool of tools) {
    if (!isObject(tool)) continue;
    const fn = isObject(tool['function']) ? tool['function'] : tool;
    if (typeof fn['name'] === 'string') out.push({ name: fn['name'], schema: fn['parameters'] ?? fn['input_schema'] });
  }
  return out;
}

/** Forced tool (`required`/`any`/a named one), else the first tool the user's text mentions. */
function pickTool(body: JsonObject, userText: string): { name: string; schema: unknown } | undefined {
  const tools = toolsOf(body);
  if (tools.length === 0) return undefined;
  const choice = body['tool_choice'];
  if (choice === 'none' || (isObject(choice) && choice['type'] === 'none')) return undefined;
  if (isObject(choice)) {
    const named = isObject(choice['function']) ? choice['function']['name'] : choice['name'];
    if (typeof named === 'string') return tools.find((t) => t.name === named);
    if (choice['type'] === 'any') return tools[0];
  }
  if (choice === 'required') return tools[0];
  return tools.find((t) => userText.includes(t.name));
}

/** Reads a chat, responses or messages request body. */
export function readConversation(body: JsonObject): DemoConversation {
  const raw = body['messages'] ?? body['input'];
  const turns: unknown[] = typeof raw === 'string' ? [{ role: 'user', content: raw }] : Array.isArray(raw) ? raw : [];
  let lastUserText = '';
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i];
    if (isObject(turn) && turn['role'] === 'user') {
      lastUserText = textOf(turn['content']);
      if (lastUserText) break;
    }
  }
  const afterToolResult = toolResultText(turns);
  const first = turns[0];
  const leading = isObject(first) && (first['role'] === 'system' || first['role'] === 'developer') ? textOf(first['content']) : '';
  const instructions = textOf(body['system']) || (typeof body['instructions'] === 'string' ? body['instructions'] : '') || leading;
  const chars = charCount(turns) + charCount(body['system']) + charCount(body['instructions']) + charCount(body['tools']);
  const maxRaw = body['max_completion_tokens'] ?? body['max_tokens'] ?? body['max_output_tokens'];
  return {
    lastUserText,
    afterToolResult,
    promptTokens: Math.ceil(chars / 4) + 3 * turns.length + 3,
    tool: afterToolResult === undefined ? pickTool(body, lastUserText) : undefined,
    maxTokens: typeof maxRaw === 'number' && maxRaw > 0 ? maxRaw : undefined,
    instructions,
  };
}

/** Arguments satisfying a JSON schema's required properties with placeholder values. */
export function demoToolArguments(schema: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (!isObject(schema) || !isObject(schema['properties'])) return args;
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  for (const name of required) {
    if (typeof name !== 'string') continue;
    const prop = schema['properties'][name];
    const type = isObject(prop) ? prop['type'] : undefined;
    if (isObject(prop) && Array.isArray(prop['enum']) && prop['enum'].length > 0) args[name] = prop['enum'][0];
    else if (type === 'number' || type === 'integer') args[name] = 1;
    else if (type === 'boolean') args[name] = true;
    else if (type === 'array') args[name] = [];
    else if (type === 'object') args[name] = {};
    else args[name] = 'demo';
  }
  return args;
}

export interface DemoReply {
  /** Pieces streamed one per event (word-sized, as providers do). */
  readonly pieces: readonly string[];
  readonly text: string;
  readonly outputTokens: number;
  /** The reply was cut by the request's output cap. */
  readonly truncated: boolean;
}

/** The demo's answer: an echo of the user's words with a pointer to the config. */
export function demoReply(conv: DemoConversation): DemoReply {
  const said = conv.afterToolResult !== undefined ? `The tool returned: ${conv.afterToolResult.slice(0, 200)}` : `You said: "${conv.lastUserText.slice(0, 200)}"`;
  // Echoing the start of the instructions lets a newcomer see a skill's prompt arrive first.
  const told = conv.instructions ? ` Your instructions begin: "${conv.instructions.slice(0, 80)}".` : '';
  const full = `Hello from the Workjet demo provider.${told} ${said}. Point a tier at a real provider in your gateway config to get real answers.`;
  const words = full.split(' ');
  const pieces: string[] = [];
  let tokens = 0;
  let truncated = false;
  for (let i = 0; i < words.length; i++) {
    const piece = i === 0 ? (words[i] as string) : ' ' + (words[i] as string);
    const cost = estimateTokens(piece);
    if (conv.maxTokens !== undefined && tokens + cost > conv.maxTokens) {
      truncated = true;
      break;
    }
    pieces.push(piece);
    tokens += cost;
  }
  return { pieces, text: pieces.join(''), outputTokens: Math.max(tokens, 1), truncated };
}
