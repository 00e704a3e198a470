import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { untranslatable } from '../translation-error.js';
import type { FunctionTool, ToolChoice } from '../tool-vocabulary.js';

/** Request pieces every client → Gemini pair builds the same way (WIRE-GEMINI.md §2, §6). */

/** Function tools as one `functionDeclarations` list; the JSON Schema passes as `parametersJsonSchema`, untouched. */
export function functionDeclarations(tools: readonly FunctionTool[]): JsonObject[] {
  if (tools.length === 0) return [];
  return [{ functionDeclarations: tools.map((t) => {
    const out: JsonObject = { name: t.name, parametersJsonSchema: isObject(t.schema) ? t.schema : { type: 'object', properties: {} } };
    if (typeof t.description === 'string') out['description'] = t.description;
    return out;
  }) }];
}

/** `toolConfig` for a mode (`AUTO`, `ANY`, `NONE`) and, for a named tool, the one allowed function. */
export function toolConfig(mode: 'AUTO' | 'ANY' | 'NONE', only?: string): JsonObject {
  const config: JsonObject = { mode };
  if (only !== undefined) config['allowedFunctionNames'] = [only];
  return { functionCallingConfig: config };
}

/** `toolConfig` from a client's tool choice: auto → `AUTO`, required → `ANY`, none → `NONE`, a named function → `ANY` allowing only it. */
export function geminiToolConfig(choice: ToolChoice): JsonObject {
  return toolConfig(choice.mode === 'auto' ? 'AUTO' : choice.mode === 'none' ? 'NONE' : 'ANY', choice.named);
}

/** Stop sequences (Gemini takes at most 5: more is refused rather than silently cut). */
export function stopSequences(value: unknown, param: string): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
  if (list.length === 0) return undefined;
  if (list.length > 5) throw untranslatable(param, 'Gemini takes at most 5 stop sequences.');
  return list;
}
