// Types of ensure-opa.mjs for the TypeScript callers (the tests); the script stays plain JavaScript.
export declare const OPA_VERSION: string;
export declare const OPA_MODULE: string;

/** The version `bin version` reports, or undefined when it does not run. */
export declare function opaVersionOf(bin: string): string | undefined;

/** The path of an `opa` binary at the pinned version, installed into `<root>/.tools/bin` when none is found. */
export declare function ensureOpa(options?: { root?: string; log?: (line: string) => void }): string;
