import { isObject } from '../../providers/json-fields.js';
import { stringLeaves, type PromptPart } from '../prompt-parts.js';

/** Model-written text of a complete Anthropic message: `content[]` text blocks and every string leaf of tool_use input. */
export function messagesResponseParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  const content = body['content'];
  if (!Array.isArray(content)) return;
  content.forEach((block: unknown, j) => {
    if (!isObject(block)) return;
    if (block['type'] === 'text' && typeof block['text'] === 'string') out.push({ path: ['content', j, 'text'], text: block['text'] });
    else if (block['type'] === 'tool_use') stringLeaves(out, ['content', j, 'input'], block['input']);
  });
}
