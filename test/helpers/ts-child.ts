/**
 * The Node arguments that load TypeScript in a child process (`node <these> script.ts`) the way
 * the test process itself loads it. Under tap that is tap's own TypeScript loader: a child run
 * through tsx instead compiles every file differently, and the merged coverage report then lists
 * each function twice, once uncovered (proxy/translate/data-url.ts showed 57% of functions with
 * a test calling all of them). Outside tap: tsx.
 */
export function tsLoaderArgs(): string[] {
  const tapLoader = process.execArgv.find((arg) => arg.includes('@tapjs/typescript'));
  return tapLoader !== undefined ? [tapLoader] : ['--import', 'tsx'];
}
