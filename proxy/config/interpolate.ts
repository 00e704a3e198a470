import { isMap, isScalar, isSeq, parse as parseYaml, type Document } from 'yaml';
import { formatConfigPath, type ConfigIssue, type PathSegment } from './config-path.js';

/**
 * `${NAME}` interpolation from an environment object. It runs over the parsed YAML's string
 * values, never over the raw text, so a value such as `a"b: c` in a variable cannot change the
 * document's structure. `$${NAME}` is the escape for a literal `${NAME}`.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolatedString {
  value: string;
  /** Names of variables that are not set (each listed once). */
  missing: string[];
  /** Malformed references (`${}`, `${1X}`, an unclosed `${`). */
  malformed: string[];
  /** How many references were replaced by a value. */
  substituted: number;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isVariableName(name: string): boolean {
  if (name.length === 0 || !isNameStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
}

/** Replaces every `${NAME}` in one string; reports unset and malformed references instead of throwing. */
export function interpolateString(input: string, env: Env): InterpolatedString {
  const missing: string[] = [];
  const malformed: string[] = [];
  let substituted = 0;
  let out = '';
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf('$', i);
    if (dollar === -1) {
      out += input.slice(i);
      break;
    }
    out += input.slice(i, dollar);
    if (input.startsWith('$${', dollar)) {
      // Escape: `$${` is a literal `${`; what follows is copied as text.
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (!input.startsWith('${', dollar)) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = input.indexOf('}', dollar + 2);
    if (close === -1) {
      malformed.push(input.slice(dollar));
      out += input.slice(dollar);
      break;
    }
    const name = input.slice(dollar + 2, close);
    if (!isVariableName(name)) {
      malformed.push(input.slice(dollar, close + 1));
    } else {
      const value = env[name];
      if (value === undefined) {
        if (!missing.includes(name)) missing.push(name);
      } else {
        out += value;
        substituted++;
      }
    }
    i = close + 1;
  }
  return { value: out, missing, malformed, substituted };
}

/**
 * A plain (unquoted) scalar that was only references keeps YAML's typing after substitution,
 * so `port: ${PORT}` is a number; quoted scalars always stay strings.
 */
function retype(value: string): string | number | boolean {
  try {
    const typed: unknown = parseYaml(value);
    if (typeof typed === 'number' || typeof typed === 'boolean') return typed;
  } catch {
    // Not a scalar YAML could read: it stays the string it is.
  }
  return value;
}

function interpolateNode(node: unknown, path: PathSegment[], env: Env, issues: ConfigIssue[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      interpolateNode(pair.value, [...path, key], env, issues);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => interpolateNode(item, [...path, index], env, issues));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
    const result = interpolateString(node.value, env);
    const where = formatConfigPath(path);
    for (const name of result.missing) issues.push({ path: where, message: `environment variable ${name} is not set` });
    for (const ref of result.malformed) {
      issues.push({ path: where, message: `malformed variable reference "${ref}" (use \${NAME}, or $\${ for a literal \${)` });
    }
    node.value = node.type === 'PLAIN' && result.substituted > 0 ? retype(result.value) : result.value;
  }
}

/**
 * Interpolates every string value of a parsed YAML document in place (map keys are left alone).
 * Returns one issue per unset variable per path where it is used, and per malformed reference.
 */
export function interpolateDocument(doc: Document, env: Env): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  interpolateNode(doc.contents, [], env, issues);
  return issues;
}
