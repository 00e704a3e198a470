import { isObject } from '../providers/json-fields.js';

/**
 * Where prompt and response text sits in a JSON body, as every client format reports it to DLP:
 * the part types, the walks the formats share (text blocks, every string leaf of a tool input)
 * and the one writer of edits. Format-neutral: which fields hold text is each format's own
 * knowledge (`<api>/<api>-prompt.ts`, `<api>/<api>-response.ts`).
 */

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

/** Pushes text parts of a content array: blocks/parts with a string `text` (text, input_text, output_text). */
export function textBlocks(out: PromptPart[], path: readonly PathSegment[], blocks: readonly unknown[]): void {
  blocks.forEach((block, i) => {
    if (isObject(block) && typeof block['text'] === 'string') out.push({ path: [...path, i, 'text'], text: block['text'] });
  });
}

/** A string, or an array of text blocks. */
export function stringOrBlocks(out: PromptPart[], path: readonly PathSegment[], value: unknown): void {
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
 * Every string leaf of a JSON value (a tool_use input, a tool's arguments object), in document
 * order, with its key as context. Iterative, and paths are built only for leaves: depth is
 * attacker-chosen, and copying the path at every level made the walk quadratic (a 40,000-deep
 * input took seconds of event loop).
 */
export function stringLeaves(out: PromptPart[], root: readonly PathSegment[], value: unknown): void {
  const stack: { node: PathNode | undefined; value: unknown; key: string | undefined }[] = [{ node: undefined, value, key: undefined }];
  while (stack.length > 0) {
    const item = stack.pop() as (typeof stack)[number];
    const parent = item.node;
    if (typeof item.value === 'string') {
      const path = materialize(root, parent);
      out.push(item.key === undefined ? { path, text: item.value } : { path, text: item.value, context: `${item.key}: ` });
    } else if (Array.isArray(item.value)) {
      // Pushed last-first so they pop in document order.
      for (let i = item.value.length - 1; i >= 0; i--) stack.push({ node: { parent, segment: i }, value: item.value[i], key: item.key });
    } else if (isObject(item.value)) {
      const entries = Object.entries(item.value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown];
        stack.push({ node: { parent, segment: k }, value: v, key: k });
      }
    }
  }
}

/**
 * A copy of `body` with each edit's text written at its path; the input is not touched. Only
 * the objects and arrays on an edited path are copied (shallowly); every other subtree is
 * shared with the input, which a deep clone of the whole body spent most of this function on.
 */
export function applyPartEdits(body: Readonly<Record<string, unknown>>, edits: readonly PartEdit[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...body };
  const copies = new Set<unknown>([copy]);
  for (const edit of edits) {
    const last = edit.path[edit.path.length - 1];
    if (last === undefined) continue;
    let node: Record<PathSegment, unknown> | undefined = copy;
    for (let i = 0; i < edit.path.length - 1 && node !== undefined; i++) {
      const key = edit.path[i] as PathSegment;
      const child = node[key];
      if (typeof child !== 'object' || child === null) {
        node = undefined;
        break;
      }
      let own = child;
      if (!copies.has(child)) {
        own = Array.isArray(child) ? child.slice() : { ...(child as Record<string, unknown>) };
        copies.add(own);
        node[key] = own;
      }
      node = own as Record<PathSegment, unknown>;
    }
    if (node !== undefined) node[last] = edit.text;
  }
  return copy;
}
