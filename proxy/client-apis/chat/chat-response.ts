import { isObject } from '../../providers/json-fields.js';
import { stringOrBlocks, type PromptPart } from '../prompt-parts.js';
import { toolCallArguments } from './chat-prompt.js';

/** Model-written text of a complete chat completion: each choice's content, refusal and tool-call arguments (and legacy `text`). */
export function chatResponseParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  const choices = body['choices'];
  if (!Array.isArray(choices)) return;
  choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) return;
    if (typeof choice['text'] === 'string') out.push({ path: ['choices', i, 'text'], text: choice['text'] });
    const message = choice['message'];
    if (!isObject(message)) return;
    stringOrBlocks(out, ['choices', i, 'message', 'content'], message['content']);
    if (typeof message['refusal'] === 'string') out.push({ path: ['choices', i, 'message', 'refusal'], text: message['refusal'] });
    toolCallArguments(out, ['choices', i, 'message', 'tool_calls'], message['tool_calls']);
  });
}
