import { isObject } from '../../providers/json-fields.js';
import { promptBefore } from '../client-format.js';
import { stringLeaves, stringOrBlocks, type PathSegment, type PromptPart } from '../prompt-parts.js';

/** The text of one content block (recursing into tool_result blocks). */
function block(out: PromptPart[], path: readonly PathSegment[], value: unknown): void {
  if (!isObject(value)) return;
  switch (value['type']) {
    case 'text':
      if (typeof value['text'] === 'string') out.push({ path: [...path, 'text'], text: value['text'] });
      return;
    case 'tool_result': {
      const content = value['content'];
      if (typeof content === 'string') out.push({ path: [...path, 'content'], text: content });
      else if (Array.isArray(content)) content.forEach((inner: unknown, k) => block(out, [...path, 'content', k], inner));
      return;
    }
    case 'tool_use':
      stringLeaves(out, [...path, 'input'], value['input']);
      return;
    case 'document': {
      const source = value['source'];
      if (!isObject(source)) return;
      if (source['type'] === 'text' && typeof source['data'] === 'string') out.push({ path: [...path, 'source', 'data'], text: source['data'] });
      else if (source['type'] === 'content') stringOrBlocks(out, [...path, 'source', 'content'], source['content']);
      return;
    }
    default:
      // image (binary), thinking / redacted_thinking (signed: a rewrite would break the signature).
      return;
  }
}

/**
 * Where prompt text sits in an Anthropic Messages request: `system` (a string or text blocks)
 * and message content (text, tool_result, every string leaf of tool_use input, text
 * documents). Images and signed thinking blocks are not returned.
 */
export function messagesPromptParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  stringOrBlocks(out, ['system'], body['system']);
  const messages = body['messages'];
  if (!Array.isArray(messages)) return;
  messages.forEach((message: unknown, i) => {
    if (!isObject(message)) return;
    const content = message['content'];
    if (typeof content === 'string') out.push({ path: ['messages', i, 'content'], text: content });
    else if (Array.isArray(content)) content.forEach((inner: unknown, j) => block(out, ['messages', i, 'content', j], inner));
  });
}

/** The skill's prompt first in `system`: a leading text block when the client sent blocks (theirs keep `cache_control`). */
export function messagesSystemPrompt(body: Record<string, unknown>, prompt: string): void {
  const system = body['system'];
  body['system'] = Array.isArray(system) ? [{ type: 'text', text: prompt }, ...(system as unknown[])] : promptBefore(prompt, system);
}
