import { requestFacts } from '../../proxy/pipeline/audit-facts.js';
import t from 'tap';
import { constants, existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { Spool } from '../../proxy/audit/spool.js';
import { HashChain } from '../../proxy/audit/hash-chain.js';
import { buildEventRecord } from '../../proxy/audit/audit-record.js';
import { createAuditLog } from '../../proxy/audit/audit-log.js';
import { createAuditStage } from '../../proxy/pipeline/stages/audit.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { fileAuditConfig } from './fixtures/config.js';
import { recordFiles, readJson, waitFor } from './fixtures/files.js';
import { captureLogger } from './fixtures/logger.js';
import { completedContext } from './fixtures/context.js';

const scope = mintTenantScope('acme');
const silent = pino({ level: 'silent' });

/** Whether this process holds `path` open with O_DSYNC (Linux: the flags in /proc/self/fdinfo are octal). */
function segmentOpenWithDsync(path: string): boolean {
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== path) continue;
    const flags = /flags:\s+([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    if (flags !== undefined && (parseInt(flags, 8) & constants.O_DSYNC) !== 0) return true;
  }
  return false;
}

function event(chain: HashChain, i: number) {
  return chain.link(buildEventRecord(scope, { action: 'key.create', requestId: `req-${i}` }));
}

t.test('group commit: concurrent appends share fsyncs, and each resolves only once on disk', async (t) => {
  const dir = join(t.testdir(), 'spool');
  const spool = await Spool.open({ dir });
  t.teardown(() => spool.release());
  const chain = new HashChain('gc');
  let resolvedButMissing = 0;
  const appends = Array.from({ length: 200 }, (_, i) => {
    const record = event(chain, i);
    return spool.append(record).then(() => {
      // Checked synchronously the moment the promise resolves: the line must already be in the file.
      const segment = spool.segments()[0];
      const text = segment ? readFileSync(segment.path, 'utf8') : '';
      if (!text.includes(record.id)) resolvedButMissing++;
    });
  });
  await Promise.all(appends);
  const stats = spool.stats();
  t.equal(resolvedButMissing, 0, 'no append resolved before its line was written and fsync’d');
  t.ok(stats.commits >= 1 && stats.commits <= 10, `200 appends took ${stats.commits} fsync batch(es)`);
  t.equal(spool.segments()[0]?.lines, 200);
  t.ok(segmentOpenWithDsync(spool.segments()[0]?.path ?? ''), 'the segment is written with O_DSYNC: each commit is durable when its write returns');

  // Sequential appends each wait for their own commit.
  const before = spool.stats().commits;
  for (let i = 0; i < 5; i++) await spool.append(event(chain, 1000 + i));
  t.equal(spool.stats().commits - before, 5, 'one commit per sequential append');
  await spool.close();
  await t.rejects(spool.append(event(chain, 9999)), /closed/, 'a closed spool refuses appends');
});

t.test('a second open of the same spool is refused while the first holds it', async (t) => {
  const dir = join(t.testdir(), 'spool');
  const spool = await Spool.open({ dir });
  await t.rejects(Spool.open({ dir }), /already open/);
  await spool.close();
  await spool.release();
  const again = await Spool.open({ dir });
  await again.close();
  await again.release();
});

t.test('a stale lock of a dead process is taken over', async (t) => {
  const dir = join(t.testdir(), 'spool');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'LOCK'), '2147483646'); // no such pid
  const spool = await Spool.open({ dir });
  t.pass('opened over a stale lock');
  await spool.close();
  await spool.release();
});

t.test('restart delivers what an earlier process left in the spool', async (t) => {
  const dir = t.testdir();
  // An "earlier process": spooled records, never delivered (no deliverer ran).
  const spool = await Spool.open({ dir: join(dir, 'spool') });
  const chain = new HashChain('earlier');
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      const record = event(chain, i);
      ids.push(record.id);
      return spool.append(record);
    }),
  );
  await spool.close();
  await spool.release();
  t.equal((await recordFiles(dir)).length, 0, 'nothing delivered yet');

  const { logger, lines } = captureLogger();
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger, instanceId: 'later' });
  await waitFor(async () => (await recordFiles(dir)).length === 50, 10_000, 'leftovers delivered');
  t.ok(lines.some((l) => l.includes('left by an earlier process')), 'start logs the leftovers');
  await log.close();
  const delivered = await Promise.all((await recordFiles(dir)).map(readJson));
  t.same(delivered.map((r) => r.id).sort(), [...ids].sort(), 'every leftover record, once');
  t.same(await readdir(join(dir, 'spool')).then((n) => n.filter((x) => x.endsWith('.ndjson'))), [], 'delivered segments are removed');
});

t.test('durability async: append resolves before the fsync, records still arrive', async (t) => {
  const dir = t.testdir();
  const log = await createAuditLog({ config: fileAuditConfig(dir, { durability: 'async' }), logger: silent });
  await log.appendEvent(scope, { action: 'key.create' });
  t.equal(log.stats().groupCommits, 0, 'resolved while its group commit was still pending');
  t.equal(log.stats().pendingRecords, 1);
  await log.close();
  t.equal((await recordFiles(dir)).length, 1);
});

/** Makes every further spool write fail: the spool directory is swapped for a plain file. */
async function breakSpool(dir: string): Promise<() => Promise<void>> {
  const spoolDir = join(dir, 'spool');
  await rename(spoolDir, `${spoolDir}.moved`);
  await writeFile(spoolDir, 'not a directory');
  return async () => {
    await rm(spoolDir);
    await rename(`${spoolDir}.moved`, spoolDir);
  };
}

t.test('spool write failure with onSpoolFailure reject: audit_unavailable, logged, stage answers 503', async (t) => {
  const dir = t.testdir();
  const { logger, lines } = captureLogger();
  // Tiny segments: every commit rolls, so the next commit must create a file in the spool dir.
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger, maxSegmentBytes: 1, retryBaseMs: 10, retryMaxMs: 50 });
  await log.appendEvent(scope, { action: 'key.create' });
  const repair = await breakSpool(dir);

  const err = await log.appendEvent(scope, { action: 'key.create' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof GatewayError, 'rejects with a GatewayError');
  t.equal((err as GatewayError).code, 'audit_unavailable');
  t.equal((err as GatewayError).status, 503);
  t.ok(lines.some((l) => l.includes('audit spool write failed') && l.includes('"level":50')), 'the failure is logged at error level');

  const stage = createAuditStage({ audit: log, logger });
  const ctx = completedContext('acme');
  await t.rejects(Promise.resolve(stage.run(ctx)), { code: 'audit_unavailable' }, 'the audit stage rethrows');
  t.equal(ctx.error?.code, 'audit_unavailable', 'and sets ctx.error so the runner answers 503');

  await repair();
  await log.appendEvent(scope, { action: 'key.create' });
  t.pass('appends succeed again once the disk is back');
  await log.close();
  t.equal((await recordFiles(dir)).length, 2, 'the two acknowledged records were delivered');
});

t.test('the answer goes before the record only with async durability while the spool works', async (t) => {
  const durableDir = t.testdir();
  const durable = await createAuditLog({ config: fileAuditConfig(join(durableDir, 'durable')), logger: silent });
  t.equal(createAuditStage({ audit: durable, logger: silent }).answersFirst?.(completedContext('acme')), false, 'durable: the answer waits for its record');
  await durable.close();

  const dir = join(durableDir, 'async');
  const log = await createAuditLog({ config: fileAuditConfig(dir, { durability: 'async' }), logger: silent, maxSegmentBytes: 1, retryBaseMs: 10, retryMaxMs: 50 });
  const stage = createAuditStage({ audit: log, logger: silent });
  t.equal(stage.answersFirst?.(completedContext('acme')), true, 'async: the answer goes first');
  await log.appendEvent(scope, { action: 'key.create' });
  await waitFor(() => log.stats().groupCommits >= 1, 5000, 'the first commit');
  const repair = await breakSpool(dir);
  await log.appendEvent(scope, { action: 'key.create' });
  await waitFor(() => log.stats().appendFailures >= 1, 5000, 'the failed commit');
  t.equal(stage.answersFirst?.(completedContext('acme')), false, 'while the spool fails, answers wait so that onSpoolFailure: reject can refuse them');
  await repair();
  await log.appendEvent(scope, { action: 'key.create' });
  await waitFor(() => stage.answersFirst?.(completedContext('acme')) === true, 5000, 'answers to go first again');
  t.pass('and go first again once a record was spooled');
  await log.close();
});

t.test('spool write failure with onSpoolFailure serve: logged, request goes on', async (t) => {
  const dir = t.testdir();
  const { logger, lines } = captureLogger();
  const log = await createAuditLog({ config: fileAuditConfig(dir, { onSpoolFailure: 'serve' }), logger, maxSegmentBytes: 1, retryBaseMs: 10, retryMaxMs: 50 });
  await log.appendEvent(scope, { action: 'key.create' });
  const repair = await breakSpool(dir);
  const stage = createAuditStage({ audit: log, logger });
  const ctx = completedContext('acme');
  await stage.run(ctx);
  t.equal(ctx.error, undefined, 'no error: the request is served');
  t.ok(lines.some((l) => l.includes('serving without an audit record')), 'says so in the log');
  t.ok(log.stats().appendFailures >= 1);
  await repair();
  await log.close();
});

t.test('audit stage prices the usage with the configured pricing', async (t) => {
  const dir = t.testdir();
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger: silent });
  const stage = createAuditStage({ audit: log, logger: silent, pricing: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } });
  const ctx = completedContext('acme');
  ctx.usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
  await stage.run(ctx);
  await log.close();
  const [file] = await recordFiles(dir);
  t.equal((await readJson(file!)).costUsd, 0.75);
});

t.test('a torn tail and garbage lines in a leftover segment are skipped; every complete record is delivered', async (t) => {
  const dir = t.testdir();
  const spool = await Spool.open({ dir: join(dir, 'spool') });
  const chain = new HashChain('torn');
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const record = event(chain, i);
    ids.push(record.id);
    await spool.append(record);
  }
  const segment = spool.segments()[0]!;
  await spool.close();
  await spool.release();
  // What a crash mid-write can leave: lines that are not records and a half-written line.
  await appendFile(segment.path, 'not a record\n\n{"at":1,"record":{"id":"01');
  const { logger, lines } = captureLogger();
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger });
  // The leftover segment is deleted only once all of it, torn tail included, was consumed.
  await waitFor(async () => (await recordFiles(dir)).length === 3 && !existsSync(segment.path), 10_000, 'delivery');
  t.equal(log.stats().corruptSpoolLines, 3, 'a garbage line, an empty one and the torn tail skipped');
  t.ok(lines.some((l) => l.includes('skipped unreadable lines')), 'and logged');
  await log.close();
  t.same((await Promise.all((await recordFiles(dir)).map(readJson))).map((r) => r.id).sort(), [...ids].sort());
});

t.test('a record larger than the spool read buffer (1 MiB) goes through', async (t) => {
  const dir = t.testdir();
  const log = await createAuditLog({ config: fileAuditConfig(dir, { includeContent: true }), logger: silent });
  const ctx = completedContext('acme');
  ctx.capturedContent = { completion: 'y'.repeat(1_500_000) };
  const record = await log.recordRequest(requestFacts(ctx));
  await log.close();
  const [file] = await recordFiles(dir);
  const stored = await readJson(file!);
  t.equal(stored.id, record.id);
  t.equal((stored.content as { completion: string }).completion.length, 1_500_000);
});

t.test('a group commit closes on the next tick, never after a fixed sleep (groupCommitMs no longer waits)', async (t) => {
  const dir = t.testdir();
  const log = await createAuditLog({ config: fileAuditConfig(dir, { groupCommitMs: 2000 }), logger: silent });
  // Concurrent writers first: the batches hold many records (the old code then waited groupCommitMs for company).
  for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 20 }, () => log.appendEvent(scope, { action: 'key.create' })));
  const commitsBefore = log.stats().groupCommits;
  t.ok(commitsBefore <= 10, `100 concurrent appends shared ${commitsBefore} fsyncs`);
  const started = performance.now();
  await log.appendEvent(scope, { action: 'key.create' });
  const waited = performance.now() - started;
  t.ok(waited < 500, `a lone append after busy batches is durable in ${waited.toFixed(1)} ms, not after a 2 s sleep`);
  // Closed here, not in a teardown: the test directory's removal must not race the deliverer.
  await log.close();
});

t.test('commits land on zeros written ahead; a sealed segment is cut back to its records', async (t) => {
  const dir = join(t.testdir(), 'spool');
  // Chunks far smaller than the records written, so commits keep crossing into running fills.
  const spool = await Spool.open({ dir, preallocateBytes: 4096 });
  t.teardown(() => spool.release());
  const chain = new HashChain('ahead');
  const ids: string[] = [];
  let zerosAheadSeen = false;
  for (let round = 0; round < 40; round++) {
    await Promise.all(
      Array.from({ length: 1 + (round % 7) }, (_, i) => {
        const record = event(chain, round * 10 + i);
        ids.push(record.id);
        return spool.append(record);
      }),
    );
    const segment = spool.segments()[0]!;
    if (statSync(segment.path).size > segment.readLimit) zerosAheadSeen = true;
  }
  t.ok(zerosAheadSeen, 'the active segment had zeros written past its last commit');
  const segment = spool.segments()[0]!;
  await spool.close();
  const bytes = readFileSync(segment.path);
  t.equal(bytes.length, segment.readLimit, 'closed, the segment holds its records and nothing after them');
  t.equal(bytes.indexOf(0), -1, 'no zero byte left');
  const stored = bytes.toString('utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
  t.same(stored, ids, 'every record, whole and in order: no fill overwrote a commit');
});

t.test('a segment left with zeros after its records (the process died) delivers every record and counts nothing unreadable', async (t) => {
  const dir = t.testdir();
  const spool = await Spool.open({ dir: join(dir, 'spool') });
  const chain = new HashChain('died');
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const record = event(chain, i);
    ids.push(record.id);
    await spool.append(record);
  }
  const segment = spool.segments()[0]!;
  t.ok(statSync(segment.path).size > segment.readLimit, 'zeros follow the records while the segment is active');
  // Keep a copy as the process left it, before close cuts the zeros off.
  const left = readFileSync(segment.path);
  await spool.close();
  await spool.release();
  await writeFile(segment.path, left);
  // And a segment that got its zeros but never a record.
  const empty = join(dir, 'spool', `${'1'.padStart(15, '0')}-deadbeef-000000.ndjson`);
  await writeFile(empty, Buffer.alloc(8192));
  const reopened = await Spool.open({ dir: join(dir, 'spool') });
  t.same(reopened.segments().map((s) => [s.lines, s.readLimit]), [[5, left.indexOf(0)]], 'the leftover is read up to its first zero byte; the all-zero one is removed');
  t.notOk(existsSync(empty));
  await reopened.close();
  await reopened.release();
  const log = await createAuditLog({ config: fileAuditConfig(dir), logger: silent });
  await waitFor(async () => (await recordFiles(dir)).length === 5 && !existsSync(segment.path), 10_000, 'delivery');
  t.equal(log.stats().corruptSpoolLines, 0);
  await log.close();
  t.same((await Promise.all((await recordFiles(dir)).map(readJson))).map((r) => r.id).sort(), [...ids].sort());
});
