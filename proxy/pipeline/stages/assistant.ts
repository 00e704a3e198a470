import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage } from '../stage.js';

export const ASSISTANT_HEADER = 'x-workjet-assistant';
const MAX_NAME = 128;

function allowed(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '.' || c === '_' || c === '-' || c === ':' || c === '@';
}

/**
 * assistant: reads `x-workjet-assistant` (an automation acting for the user) into
 * `ctx.assistant`, so the audit record and spend per assistant name it. Runs right after
 * identify, so a denied or failed request is attributed too. The name is an identifier (it keys
 * spend counters), checked character by character: letters, digits and `. _ - : @`, at most 128.
 */
export function createAssistantStage(): Stage {
  return {
    name: 'assistant',
    run(ctx) {
      const value = ctx.req.headers[ASSISTANT_HEADER];
      if (value === undefined) return;
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME || ![...value].every(allowed)) {
        throw new GatewayError('invalid_request', `${ASSISTANT_HEADER} must be 1-${MAX_NAME} letters, digits or . _ - : @`, { param: ASSISTANT_HEADER });
      }
      ctx.assistant = value;
    },
  };
}
