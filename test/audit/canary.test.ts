import t from 'tap';
import { readFile } from 'node:fs/promises';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { createAuditStage } from '../../proxy/pipeline/stages/audit.js';
import { Secret } from '../../proxy/identity/secret.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { fileAuditConfig } from './fixtures/config.js';
import { completedContext, makeContext, makePrincipal, makeRequest } from './fixtures/context.js';
import { captureLogger } from './fixtures/logger.js';
import { walk, recordFiles } from './fixtures/files.js';

// Canaries: if any of these strings shows up anywhere in the audit tree (records, spool,
// checkpoint) or in the audit log's own log lines, a secret or prompt leaked.
const WJ_KEY = 'wj_CANARYk3yAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const PROVIDER_KEY = 'sk-proj-CANARYprov1derKeyBBBBBBBBBBBBBBBBBBBBBBBB';
const ANTHROPIC_KEY = 'sk-ant-api03-CANARYanthropicCCCCCCCCCCCCCCCCCCCCCC';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlkiLCJ0aWQiOiJhY21lIn0.CANARYsig_DDDDDDDDDDDDDDDDDDDDDDDDDDDD';
const PROMPT = 'CANARY-PROMPT-the launch code is 7f3a9c';
const COMPLETION = 'CANARY-COMPLETION-raw model output';
const CANARIES = [WJ_KEY, PROVIDER_KEY, ANTHROPIC_KEY, JWT, PROMPT, COMPLETION, 'CANARY'];

function contexts() {
  const withKey = completedContext('acme');
  withKey.req.headers.authorization = `Bearer ${WJ_KEY}`;
  withKey.req.headers['x-api-key'] = ANTHROPIC_KEY;
  withKey.req.headers.cookie = `session=${JWT}`;
  withKey.req.url = `/v1/chat/completions?api_key=${WJ_KEY}`;
  withKey.request = makeRequest({ model: 'fast', messages: [{ role: 'user', content: PROMPT }] });
  withKey.mutableBody().messages = [{ role: 'user', content: PROMPT }];
  // Where other stages keep the tenant's provider key and upstream state.
  withKey.plan = {
    attempts: [{ label: 'fast', model: 'gpt-4o-mini', provider: { name: 'openai', type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: new Secret(PROVIDER_KEY), anthropicVersion: '2023-06-01', timeoutMs: undefined } }],
  };
  withKey.pendingResponse = { status: 200, headers: { 'x-upstream-auth': PROVIDER_KEY }, body: COMPLETION };

  const session = makeContext({ headers: { authorization: `Bearer ${JWT}` }, route: 'messages', url: '/v1/messages' });
  session.principal = { ...makePrincipal('acme', 'alice', 'owner', 'session:jti-1'), type: 'session' };
  session.request = makeRequest({ model: 'fast', system: PROMPT, messages: [] });
  session.error = new GatewayError('upstream_error', `provider said: ${PROMPT} ${PROVIDER_KEY}`);

  const rejected = makeContext({ headers: { authorization: `Bearer ${WJ_KEY}` } });
  rejected.error = new GatewayError('invalid_api_key', `bad key ${WJ_KEY}`);

  const blocked = makeContext({ headers: { 'x-api-key': WJ_KEY } });
  blocked.principal = makePrincipal('acme');
  blocked.request = makeRequest({ model: 'fast', messages: [{ role: 'user', content: PROMPT }] });
  blocked.findings = [{ detector: 'openai_api_key', count: 1, action: 'block', direction: 'request' }];
  blocked.error = new GatewayError('dlp_blocked', 'Blocked by DLP: openai_api_key');
  return [withKey, session, rejected, blocked];
}

async function grepTree(dir: string): Promise<string[]> {
  const hits: string[] = [];
  for (const file of await walk(dir)) {
    // The deliverer may rename or remove a temp or spool file between the listing and the read.
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    for (const canary of CANARIES) if (text.includes(canary)) hits.push(`${file}: ${canary}`);
  }
  return hits;
}

t.test('no secret and no prompt text in any record, spool file or audit log line', async (t) => {
  const dir = t.testdir();
  const { logger, lines } = captureLogger();
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger, statsIntervalMs: 20 });
  const stage = createAuditStage({ audit: log, logger, pricing: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } });
  for (const ctx of contexts()) await stage.run(ctx);
  // Read the spool before delivery removes it, and after.
  const spoolHits = await grepTree(dir);
  await new Promise((r) => setTimeout(r, 60)); // let a periodic stats line be logged
  await log.close();
  t.equal((await recordFiles(dir)).length, 4, 'four records written');
  t.same(spoolHits, [], 'nothing in the tree while spooled');
  t.same(await grepTree(dir), [], 'nothing in the delivered tree');
  t.same(lines.filter((l) => CANARIES.some((c) => l.includes(c))), [], 'nothing in the log lines');
  t.ok(lines.some((l) => l.includes('audit spool stats')), 'spool stats are logged periodically');
});

t.test('includeContent: only the DLP-redacted capture, never the raw prompt', async (t) => {
  const dir = t.testdir();
  const { logger } = captureLogger();
  const log = await createAuditLog({ config: fileAuditConfig(dir, { includeContent: true }), logger });
  const stage = createAuditStage({ audit: log, logger });
  const [ctx] = contexts();
  ctx!.capturedContent = { prompt: [{ role: 'user', content: 'the launch code is [REDACTED:custom_code]' }], completion: 'ok [REDACTED:email]' };
  await stage.run(ctx!);
  await log.close();
  t.same(await grepTree(dir), []);
  const [file] = await recordFiles(dir);
  const text = await readFile(file!, 'utf8');
  t.match(text, /\[REDACTED:custom_code\]/, 'the redacted capture is there');
});
