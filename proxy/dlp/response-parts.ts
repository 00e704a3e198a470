import type { RouteKind } from '../core/vocabulary.js';
import type { PathSegment, PromptPart } from './prompt-walker.js';

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function leaves(out: PromptPart[], path: readonly PathSegment[], value: unknown, key?: string): void {
  if (typeof value === 'string') out.push(key === undefined ? { path, text: value } : { path, text: value, context: `${key}: ` });
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(out, [...path, i], v, key));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) leaves(out, [...path, k], v, k);
}

function chat(body: Json, out: PromptPart[]): void {
  if (!Array.isArray(body.choices)) return;
  body.choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) return;
    if (typeof choice.text === 'string') out.push({ path: ['choices', i, 'text'], text: choice.text });
    const message = choice.message;
    if (!isObject(message)) return;
    if (typeof message.content === 'string') out.push({ path: ['choices', i, 'message', 'content'], text: message.content });
    else if (Array.isArray(message.content)) {
      message.content.forEach((part: unknown, j) => {
        if (isObject(part) && typeof part.text === 'string') out.push({ path: ['choices', i, 'message', 'content', j, 'text'], text: part.text });
      });
    }
    if (typeof message.refusal === 'string') out.push({ path: ['choices', i, 'message', 'refusal'], text: message.refusal });
    if (Array.isArray(message.tool_calls)) {
      message.tool_calls.forEach((call: unknown, k) => {
        const fn = isObject(call) ? call.function : undefined;
        if (isObject(fn) && typeof fn.arguments === 'string') out.push({ path: ['choices', i, 'message', 'tool_calls', k, 'function', 'arguments'], text: fn.arguments });
      });
    }
  });
}

/** Text of one Responses output item (also used on streamed `output_item.done` / `response.completed`). */
export function responsesItemParts(item: unknown, path: readonly PathSegment[], out: PromptPart[]): void {
  if (!isObject(item)) return;
  if (Array.isArray(item.content)) {
    item.content.forEach((part: unknown, j) => {
      if (isObject(part) && typeof part.text === 'string') out.push({ path: [...path, 'content', j, 'text'], text: part.text });
    });
  }
  if (typeof item.arguments === 'string') out.push({ path: [...path, 'arguments'], text: item.arguments });
}

function responses(body: Json, out: PromptPart[]): void {
  if (Array.isArray(body.output)) body.output.forEach((item: unknown, i) => responsesItemParts(item, ['output', i], out));
}

function messages(body: Json, out: PromptPart[]): void {
  if (!Array.isArray(body.content)) return;
  body.content.forEach((block: unknown, j) => {
    if (!isObject(block)) return;
    if (block.type === 'text' && typeof block.text === 'string') out.push({ path: ['content', j, 'text'], text: block.text });
    else if (block.type === 'tool_use') leaves(out, ['content', j, 'input'], block.input);
  });
}

/**
 * Every model-written text of a complete (non-stream) response: chat `choices[].message`
 * content, refusal and tool-call arguments; Responses `output[]` text parts and function-call
 * arguments; Anthropic `content[]` text blocks and tool_use input leaves. Embeddings have none.
 */
export function collectResponseParts(route: RouteKind, body: Json): PromptPart[] {
  const out: PromptPart[] = [];
  if (route === 'chat') chat(body, out);
  else if (route === 'responses') responses(body, out);
  else if (route === 'messages') messages(body, out);
  return out;
}
