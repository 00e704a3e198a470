import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';

/** The OPA WASM ABI 1.2 one-shot export: parse input, evaluate, serialize the result set. */
type OpaEval = (reserved: number, entrypoint: number, dataAddr: number, inputAddr: number, inputLength: number, heapAddr: number, format: number) => number;

const PAGE_BYTES = 65_536;
/** `opa_eval`'s format argument: the result set as JSON text. */
const FORMAT_JSON = 0;

/** Evaluates one entrypoint of a loaded policy with an input already serialized to JSON. */
export type PolicyEvaluator = (inputJson: string) => unknown;

/**
 * Builds the evaluator used on the request path. With ABI ≥ 1.2 (every opa v1 build) it calls
 * `opa_eval` on the SDK's own instance and memory, as the SDK's `evaluate` does, but encodes the
 * input straight into WASM memory and decodes the result with reused coders: the SDK allocates an
 * ArrayBuffer, a TextEncoder and a TextDecoder per call, and that garbage showed up in the p99.
 * Older modules go through the SDK unchanged.
 */
export function createPolicyEvaluator(policy: LoadedPolicy, entrypoint: number): PolicyEvaluator {
  const opaEval = fastPathOf(policy);
  if (!opaEval) return (inputJson) => policy.evaluate(new TextEncoder().encode(inputJson).buffer, entrypoint);

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const memory = policy.mem;
  let view = new Uint8Array(memory.buffer);
  const currentView = (): Uint8Array => {
    // Growing the memory (here or inside opa_eval) detaches the old buffer.
    if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer);
    return view;
  };

  return (inputJson) => {
    const inputAddr = policy.dataHeapPtr as number;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; only near the end of memory is the exact size
    // worth computing. Growing throws past the configured cap, which fails the decision closed.
    if (inputAddr + inputJson.length * 3 > memory.buffer.byteLength) {
      const shortfall = inputAddr + Buffer.byteLength(inputJson) - memory.buffer.byteLength;
      if (shortfall > 0) memory.grow(Math.ceil(shortfall / PAGE_BYTES));
    }
    const { written } = encoder.encodeInto(inputJson, currentView().subarray(inputAddr));
    const resultAddr = opaEval(0, entrypoint, policy.dataAddr, inputAddr, written, inputAddr + written, FORMAT_JSON);
    const bytes = currentView();
    const end = bytes.indexOf(0, resultAddr);
    if (end === -1) throw new Error('the policy result is not NUL-terminated');
    return JSON.parse(decoder.decode(bytes.subarray(resultAddr, end))) as unknown;
  };
}

function fastPathOf(policy: LoadedPolicy): OpaEval | undefined {
  if (typeof policy.minorVersion !== 'number' || policy.minorVersion < 2) return undefined;
  const instance = 'exports' in policy.wasmInstance ? policy.wasmInstance : policy.wasmInstance.instance;
  const opaEval = instance.exports['opa_eval'];
  return typeof opaEval === 'function' ? (opaEval as OpaEval) : undefined;
}
