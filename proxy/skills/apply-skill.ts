/**
 * Puts a skill's system prompt first, in the form each client API uses: a leading system
 * message (chat), the front of `system` (Messages) or of `instructions` (Responses). Works on
 * the body copy that will be forwarded; pure (no context), so DLP, limits and token estimation
 * downstream see the prompt like any other part.
 */
export type SkillRoute = 'chat' | 'messages' | 'responses';

const SEPARATOR = '\n\n';

/** Rewrites `body` in place for `route`. */
export function applySkillPrompt(route: SkillRoute, body: Record<string, unknown>, systemPrompt: string): void {
  switch (route) {
    case 'chat': {
      const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
      body['messages'] = [{ role: 'system', content: systemPrompt }, ...messages];
      return;
    }
    case 'messages': {
      const system = body['system'];
      if (Array.isArray(system)) body['system'] = [{ type: 'text', text: systemPrompt }, ...(system as unknown[])];
      else if (typeof system === 'string' && system.length > 0) body['system'] = `${systemPrompt}${SEPARATOR}${system}`;
      else body['system'] = systemPrompt;
      return;
    }
    case 'responses': {
      const instructions = body['instructions'];
      body['instructions'] = typeof instructions === 'string' && instructions.length > 0 ? `${systemPrompt}${SEPARATOR}${instructions}` : systemPrompt;
      return;
    }
  }
}
