import t from 'tap';
import { clientFormat } from '../../proxy/client-apis/client-formats.js';
import type { RouteKind } from '../../proxy/core/vocabulary.js';

/** Where each format puts a skill's system prompt (what the skill stage calls). */
function applySkillPrompt(route: RouteKind, body: Record<string, unknown>, prompt: string): void {
  const apply = clientFormat(route)?.applySystemPrompt;
  if (!apply) throw new Error(`${route} takes no system prompt`);
  apply(body, prompt);
}

t.test('chat: a leading system message before everything the client sent', async (t) => {
  const body: Record<string, unknown> = { messages: [{ role: 'system', content: 'mine' }, { role: 'user', content: 'hi' }] };
  applySkillPrompt('chat', body, 'SKILL');
  t.same(body['messages'], [{ role: 'system', content: 'SKILL' }, { role: 'system', content: 'mine' }, { role: 'user', content: 'hi' }]);
});

t.test('messages: system as a string, as blocks, or absent', async (t) => {
  const none: Record<string, unknown> = { messages: [] };
  applySkillPrompt('messages', none, 'SKILL');
  t.equal(none['system'], 'SKILL');
  const text: Record<string, unknown> = { system: 'mine' };
  applySkillPrompt('messages', text, 'SKILL');
  t.equal(text['system'], 'SKILL\n\nmine');
  const blocks: Record<string, unknown> = { system: [{ type: 'text', text: 'mine', cache_control: { type: 'ephemeral' } }] };
  applySkillPrompt('messages', blocks, 'SKILL');
  t.same(blocks['system'], [{ type: 'text', text: 'SKILL' }, { type: 'text', text: 'mine', cache_control: { type: 'ephemeral' } }], "the client's blocks keep their cache_control");
});

t.test('responses: instructions first', async (t) => {
  const none: Record<string, unknown> = { input: 'x' };
  applySkillPrompt('responses', none, 'SKILL');
  t.equal(none['instructions'], 'SKILL');
  const mine: Record<string, unknown> = { input: 'x', instructions: 'mine' };
  applySkillPrompt('responses', mine, 'SKILL');
  t.equal(mine['instructions'], 'SKILL\n\nmine');
});

t.test('embeddings and models take no system prompt (the skill stage answers 400 there)', async (t) => {
  t.equal(clientFormat('embeddings')?.applySystemPrompt, undefined);
  t.equal(clientFormat('models'), undefined);
});
