#!/usr/bin/env node
// Prints one plain line `N passed, M failed` from tap's saved per-file results
// (.tap/test-results/**/*.tap). A point counts when it is a leaf assertion; a subtest's
// summary point (preceded by its child plan, or a buffered `{` block) is not counted again.
// A results file without its closing plan (the file crashed or timed out) counts as one failure.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.tap') ? [p] : [];
  });
}

let passed = 0;
let failed = 0;
const point = /^(\s*)(not ok|ok)\b(.*)$/;
const plan = /^(\s*)1\.\.\d+/;
for (const file of files(process.argv[2] ?? '.tap/test-results')) {
  const lines = readFileSync(file, 'utf8').split('\n');
  let previous = '';
  let closed = false;
  for (const line of lines) {
    const m = point.exec(line);
    if (m) {
      const indent = m[1].length;
      const p = plan.exec(previous);
      const isSummary = (p && p[1].length > indent) || m[3].trimEnd().endsWith('{');
      if (!isSummary) {
        if (m[2] === 'ok') passed++;
        else failed++;
      }
    }
    if (/^1\.\.\d+/.test(line)) closed = true;
    if (line.trim() !== '') previous = line;
  }
  if (!closed) failed++;
}
console.log(`${passed} passed, ${failed} failed`);
