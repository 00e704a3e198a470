// The file sink puts without an fsync per record and makes a whole round durable in one sync;
// the deliverer moves its checkpoint and deletes a segment only after that sync. A sync that
// fails keeps the records in the spool and the round is put again.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { Deliverer } from '../../proxy/audit/deliverer.js';
import { FileSink } from '../../proxy/audit/file-sink.js';
import { HashChain } from '../../proxy/audit/hash-chain.js';
import { buildEventRecord } from '../../proxy/audit/audit-record.js';
import { Spool } from '../../proxy/audit/spool.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { recordFiles, waitFor } from './fixtures/files.js';

const scope = mintTenantScope('acme');
const silent = pino({ level: 'silent' });

/** The real file sink; its sync fails (like an EIO from fdatasync) while `failing` is set. */
class FlakySyncSink extends FileSink {
  failing = true;
  puts = 0;
  syncs = 0;
  override async put(key: string, body: string): Promise<void> {
    this.puts++;
    await super.put(key, body);
  }
  override async sync(): Promise<void> {
    this.syncs++;
    if (this.failing) {
      await super.sync(); // releases the files; the sync's result is then reported as lost
      throw Object.assign(new Error('fdatasync failed'), { code: 'EIO' });
    }
    await super.sync();
  }
}

async function checkpointLines(dir: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(join(dir, 'spool', 'checkpoint.json'), 'utf8')) as { lines: number }).lines;
  } catch {
    return 0;
  }
}

t.test('a failing sink sync keeps the round in the spool: no checkpoint, no segment deletion, the round is put again', async (t) => {
  const dir = t.testdir();
  const spool = await Spool.open({ dir: join(dir, 'spool') });
  const chain = new HashChain('sync');
  await Promise.all(Array.from({ length: 20 }, (_, i) => spool.append(chain.link(buildEventRecord(scope, { action: 'key.create', requestId: `r${i}` })))));
  await spool.close(); // sealed: the deliverer would delete it once delivered
  const sink = new FlakySyncSink(dir);
  const deliverer = new Deliverer({ spool, sink, logger: silent, retryBaseMs: 5, retryMaxMs: 20 });
  await deliverer.start();
  await waitFor(() => sink.syncs >= 4, 10_000, 'several failed syncs');
  t.equal((await recordFiles(dir)).length, 20, 'the files were written (not yet durable)');
  t.equal(spool.segments().length, 1, 'the segment is still in the spool');
  t.equal(deliverer.stats().delivered, 0, 'nothing counts as delivered');
  t.equal(await checkpointLines(dir), 0, 'the checkpoint did not move');
  t.ok(sink.puts >= 40, `each failed sync put the whole round again (${sink.puts} puts)`);

  sink.failing = false;
  await waitFor(() => spool.segments().length === 0, 10_000, 'delivery after the sink recovered');
  t.equal(deliverer.stats().delivered, 20);
  t.equal((await recordFiles(dir)).length, 20, 'every record once');
  await deliverer.stop();
  await spool.release();
});

t.test('the checkpoint never covers a record before its round was synced', async (t) => {
  const dir = t.testdir();
  const spool = await Spool.open({ dir: join(dir, 'spool') });
  let synced = 0;
  let put = 0;
  let violations = 0;
  class WatchingSink extends FileSink {
    override async put(key: string, body: string): Promise<void> {
      if ((await checkpointLines(dir)) > synced) violations++;
      await super.put(key, body);
      put++;
    }
    override async sync(): Promise<void> {
      const covered = put;
      if ((await checkpointLines(dir)) > synced) violations++;
      await super.sync();
      synced = covered;
    }
  }
  const sink = new WatchingSink(dir);
  const deliverer = new Deliverer({ spool, sink, logger: silent });
  await deliverer.start();
  const chain = new HashChain('watch');
  // Concurrent writers over ~1.5 s, so that the checkpoint is written while records flow.
  const deadline = Date.now() + 1500;
  let appended = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) {
        await spool.append(chain.link(buildEventRecord(scope, { action: 'key.create' })));
        appended++;
      }
    }),
  );
  await waitFor(() => deliverer.stats().delivered === appended, 20_000, 'delivery');
  await deliverer.stop();
  t.equal(violations, 0, 'the saved checkpoint never ran ahead of the last completed sync');
  t.equal(await checkpointLines(dir), appended, 'the checkpoint at stop covers every record');
  t.ok(put >= appended, `${appended} records, ${put} puts`);
  await spool.close();
  await spool.release();
});
