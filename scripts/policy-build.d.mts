// Types of policy-build.mjs for the TypeScript callers (the tests); the script itself stays plain
// JavaScript so `npm run policy:build` needs no compile step.
export declare const ENTRYPOINT: string;

/** Source files whose change makes the bundle stale: non-test .rego and data.json, recursively, minus build/. */
export declare function policySources(policiesDir: string): string[];

/** Writes a capabilities file limited to the builtins the JS WASM SDK can run; returns its path. */
export declare function ensureCapabilities(options: { opa: string; file: string }): Promise<string>;

/** Builds `outFile` from `policiesDir` when it is missing or older than a source (always with `force`). */
export declare function buildPolicyBundle(options?: {
  force?: boolean;
  policiesDir?: string;
  outFile?: string;
  capabilitiesFile?: string;
}): Promise<{ built: boolean; outFile: string }>;
