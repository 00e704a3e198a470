import { isObject } from '../../providers/json-fields.js';
import { textBlocks, type PathSegment, type PromptPart } from '../prompt-parts.js';

/** Text of one Responses output item: its content text parts and function-call arguments. */
export function responsesItemParts(item: unknown, path: readonly PathSegment[], out: PromptPart[]): void {
  if (!isObject(item)) return;
  if (Array.isArray(item['content'])) textBlocks(out, [...path, 'content'], item['content']);
  if (typeof item['arguments'] === 'string') out.push({ path: [...path, 'arguments'], text: item['arguments'] });
}

/** Model-written text of a complete Responses object: every `output[]` item. */
export function responsesResponseParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  const output = body['output'];
  if (Array.isArray(output)) output.forEach((item: unknown, i) => responsesItemParts(item, ['output', i], out));
}
