import t, { type Test } from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { FinalStage, Stage } from '../../proxy/pipeline/stage.js';
import { runPipeline } from '../../proxy/server/run-request.js';

const silent = pino({ level: 'silent' });

const answer: Stage = {
  name: 'forward',
  run(ctx) {
    ctx.pendingResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
  },
};

/** A final stage that holds the request until `release` is called, noting whether the answer had ended when it ran. */
function heldFinal(answersFirst: boolean): { final: FinalStage; release: () => void; answerEndedWhenRun: boolean[] } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const answerEndedWhenRun: boolean[] = [];
  const final: FinalStage = {
    name: 'audit',
    answersFirst: () => answersFirst,
    async run(ctx) {
      answerEndedWhenRun.push(ctx.res.writableEnded);
      await held;
    },
  };
  return { final, release, answerEndedWhenRun };
}

/** A real HTTP server running `stages` and `finals` through the runner for every request. */
async function serve(t: Test, stages: readonly Stage[], finals: readonly FinalStage[]): Promise<string> {
  const server = createServer((req, res) => {
    const ctx = new RequestContext({ requestId: 'req_run', api: 'openai', route: 'chat', req, res, ip: '127.0.0.1' });
    void runPipeline(ctx, { stages, finals }, silent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const pending = Symbol('pending');

t.test('a final stage that lets the answer go first gets it written before it runs', async (t) => {
  const { final, release, answerEndedWhenRun } = heldFinal(true);
  const url = await serve(t, [answer], [final]);
  const response = await fetch(url, { method: 'POST' });
  t.equal(response.status, 200);
  t.same(await response.json(), { ok: true }, 'the whole answer arrived while the final stage was still running');
  t.same(answerEndedWhenRun, [true]);
  release();
});

t.test('otherwise the answer waits for every final stage', async (t) => {
  const { final, release, answerEndedWhenRun } = heldFinal(false);
  const url = await serve(t, [answer], [final]);
  const answered = fetch(url, { method: 'POST' });
  const early = await Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve(pending), 300))]);
  t.equal(early, pending, 'no answer while the final stage runs');
  t.same(answerEndedWhenRun, [false]);
  release();
  const response = await answered;
  t.same(await response.json(), { ok: true }, 'the answer once it finished');
});

t.test('the answer waits for what settle still writes, while the later final stages run', async (t) => {
  let releaseWrites!: () => void;
  const settle: FinalStage = {
    name: 'settle',
    run(ctx) {
      ctx.settling = new Promise<void>((resolve) => (releaseWrites = resolve));
    },
  };
  const audited: boolean[] = [];
  const audit: FinalStage = { name: 'audit', run: () => void audited.push(true) };
  const url = await serve(t, [answer], [settle, audit]);
  const answered = fetch(url, { method: 'POST' });
  const early = await Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve(pending), 300))]);
  t.equal(early, pending, 'no answer while the spend is being written');
  t.same(audited, [true], 'the audit stage ran meanwhile');
  releaseWrites();
  t.same(await (await answered).json(), { ok: true });
});
