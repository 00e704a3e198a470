import type { RouteKind } from '../core/vocabulary.js';

export type PathSegment = string | number;

/** One piece of prompt text and where it sits in the request body. */
export interface PromptPart {
  readonly path: readonly PathSegment[];
  readonly text: string;
  /**
   * Detection-only prefix: the JSON key of a tool-input leaf (`password: `), so keyword-anchored
   * detectors see the key that names the value. Never rewritten.
   */
  readonly context?: string;
}

/** A rewritten text to put at `path` in a copy of the body. */
export interface PartEdit {
  readonly path: readonly PathSegment[];
  readonly text: string;
}

type Json = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pushes text parts of a content array: blocks/parts with a string `text` (text, input_text, output_text). */
function textBlocks(out: PromptPart[], path: readonly PathSegment[], blocks: readonly unknown[]): void {
  blocks.forEach((block, i) => {
    if (isObject(block) && typeof block.text === 'string') out.push({ path: [...path, i, 'text'], text: block.text });
  });
}

/** A string, or an array of text blocks. */
function stringOrBlocks(out: PromptPart[], path: readonly PathSegment[], value: unknown): void {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) textBlocks(out, path, value);
}

/** A path as a parent-linked list: extending it is O(1), so a walk is linear in the nodes visited. */
interface PathNode {
  readonly parent: PathNode | undefined;
  readonly segment: PathSegment;
}

function materialize(root: readonly PathSegment[], node: PathNode | undefined): PathSegment[] {
  const tail: PathSegment[] = [];
  for (let n = node; n !== undefined; n = n.parent) tail.push(n.segment);
  return [...root, ...tail.reverse()];
}

/**
 * Every string leaf of a JSON value (Anthropic tool_use input), with its key as context.
 * Iterative, and paths are built only for leaves: depth is attacker-chosen, and copying the path
 * at every level made the walk quadratic (a 40,000-deep input took seconds of event loop).
 */
function stringLeaves(out: PromptPart[], root: readonly PathSegment[], value: unknown): void {
  const stack: { node: PathNode | undefined; value: unknown; key: string | undefined }[] = [{ node: undefined, value, key: undefined }];
  while (stack.length > 0) {
    const item = stack.pop() as (typeof stack)[number];
    if (typeof item.value === 'string') {
      const path = materialize(root, item.node);
      out.push(item.key === undefined ? { path, text: item.value } : { path, text: item.value, context: `${item.key}: ` });
    } else if (Array.isArray(item.value)) {
      const parent = item.node;
      item.value.forEach((v, i) => stack.push({ node: { parent, segment: i }, value: v, key: item.key }));
    } else if (isObject(item.value)) {
      const parent = item.node;
      for (const [k, v] of Object.entries(item.value)) stack.push({ node: { parent, segment: k }, value: v, key: k });
    }
  }
}

function chatParts(body: Json, out: PromptPart[]): void {
  const messages = body.messages;
  if (!Array.isArray(messages)) return;
  messages.forEach((message: unknown, i) => {
    if (!isObject(message)) return;
    stringOrBlocks(out, ['messages', i, 'content'], message.content);
    if (Array.isArray(message.tool_calls)) {
      message.tool_calls.forEach((call: unknown, k) => {
        const fn = isObject(call) ? call.function : undefined;
        if (isObject(fn) && typeof fn.arguments === 'string') out.push({ path: ['messages', i, 'tool_calls', k, 'function', 'arguments'], text: fn.arguments });
      });
    }
    const legacy = message.function_call;
    if (isObject(legacy) && typeof legacy.arguments === 'string') out.push({ path: ['messages', i, 'function_call', 'arguments'], text: legacy.arguments });
  });
}

function responsesParts(body: Json, out: PromptPart[]): void {
  if (typeof body.instructions === 'string') out.push({ path: ['instructions'], text: body.instructions });
  const input = body.input;
  if (typeof input === 'string') {
    out.push({ path: ['input'], text: input });
    return;
  }
  if (!Array.isArray(input)) return;
  input.forEach((item: unknown, i) => {
    if (!isObject(item)) return;
    stringOrBlocks(out, ['input', i, 'content'], item.content);
    // function_call_output / custom_tool_call_output: a string or input_text parts.
    stringOrBlocks(out, ['input', i, 'output'], item.output);
    if (typeof item.arguments === 'string') out.push({ path: ['input', i, 'arguments'], text: item.arguments });
    if (item.type === 'custom_tool_call' && typeof item.input === 'string') out.push({ path: ['input', i, 'input'], text: item.input });
  });
}

function embeddingsParts(body: Json, out: PromptPart[]): void {
  const input = body.input;
  if (typeof input === 'string') out.push({ path: ['input'], text: input });
  else if (Array.isArray(input)) {
    input.forEach((entry: unknown, i) => {
      if (typeof entry === 'string') out.push({ path: ['input', i], text: entry });
    });
  }
}

function anthropicBlock(out: PromptPart[], path: readonly PathSegment[], block: unknown): void {
  if (!isObject(block)) return;
  switch (block.type) {
    case 'text':
      if (typeof block.text === 'string') out.push({ path: [...path, 'text'], text: block.text });
      return;
    case 'tool_result':
      if (typeof block.content === 'string') out.push({ path: [...path, 'content'], text: block.content });
      else if (Array.isArray(block.content)) block.content.forEach((inner: unknown, k) => anthropicBlock(out, [...path, 'content', k], inner));
      return;
    case 'tool_use':
      stringLeaves(out, [...path, 'input'], block.input);
      return;
    case 'document': {
      const source = block.source;
      if (!isObject(source)) return;
      if (source.type === 'text' && typeof source.data === 'string') out.push({ path: [...path, 'source', 'data'], text: source.data });
      else if (source.type === 'content') stringOrBlocks(out, [...path, 'source', 'content'], source.content);
      return;
    }
    default:
      // image (binary), thinking / redacted_thinking (signed: a rewrite would break the signature).
      return;
  }
}

function messagesParts(body: Json, out: PromptPart[]): void {
  stringOrBlocks(out, ['system'], body.system);
  const messages = body.messages;
  if (!Array.isArray(messages)) return;
  messages.forEach((message: unknown, i) => {
    if (!isObject(message)) return;
    const content = message.content;
    if (typeof content === 'string') out.push({ path: ['messages', i, 'content'], text: content });
    else if (Array.isArray(content)) content.forEach((block: unknown, j) => anthropicBlock(out, ['messages', i, 'content', j], block));
  });
}

/**
 * Every prompt text part of a request body, per route: OpenAI chat messages (string content,
 * text parts, assistant tool-call arguments, tool results), Responses `instructions` and `input`
 * (string or items: message content, function_call_output, function_call arguments), embeddings
 * `input` (string or string[]), Anthropic `system` and message content (text, tool_result,
 * tool_use input leaves, text documents). Images, audio, token-id inputs and signed thinking
 * blocks are not text and are not returned.
 */
export function collectPromptParts(route: RouteKind, body: Json): PromptPart[] {
  const out: PromptPart[] = [];
  if (route === 'chat') chatParts(body, out);
  else if (route === 'responses') responsesParts(body, out);
  else if (route === 'embeddings') embeddingsParts(body, out);
  else if (route === 'messages') messagesParts(body, out);
  return out;
}

/** A deep copy of `body` with each edit's text written at its path; the input is not touched. */
export function applyPartEdits(body: Json, edits: readonly PartEdit[]): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>;
  for (const edit of edits) {
    let node: unknown = copy;
    for (let i = 0; i < edit.path.length - 1; i++) node = (node as Record<PathSegment, unknown>)[edit.path[i] as PathSegment];
    const last = edit.path[edit.path.length - 1];
    if (last === undefined || typeof node !== 'object' || node === null) continue;
    (node as Record<PathSegment, unknown>)[last] = edit.text;
  }
  return copy;
}
