// The deliverer keeps its place: the checkpoint is written at most about once a second while
// records flow, and always at a clean stop, so a restart does not put everything again.
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

/** The real file sink, counting the records it is asked to store. */
class CountingFileSink extends FileSink {
  puts = 0;
  override async put(key: string, body: string): Promise<void> {
    this.puts++;
    await super.put(key, body);
  }
}

async function run(dir: string, appendCount: number, untilFiles: number): Promise<{ puts: number; checkpoint: { lines: number } }> {
  const spool = await Spool.open({ dir: join(dir, 'spool') });
  const sink = new CountingFileSink(dir);
  const deliverer = new Deliverer({ spool, sink, logger: silent });
  await deliverer.start();
  const chain = new HashChain(`run-${appendCount}`);
  // One request at a time, as a lone client sends them: many small delivery rounds.
  for (let i = 0; i < appendCount; i++) await spool.append(chain.link(buildEventRecord(scope, { action: 'key.create', requestId: `req-${i}` })));
  await waitFor(async () => (await recordFiles(dir)).length === untilFiles, 10_000, `${untilFiles} records in the sink`);
  await new Promise((r) => setTimeout(r, 100)); // let the round that delivered the last record finish
  await deliverer.stop();
  await spool.close();
  await spool.release();
  const checkpoint = JSON.parse(await readFile(join(dir, 'spool', 'checkpoint.json'), 'utf8')) as { lines: number };
  return { puts: sink.puts, checkpoint };
}

t.test('a clean stop saves the checkpoint: the next start puts nothing again', async (t) => {
  const dir = t.testdir();
  const first = await run(dir, 40, 40);
  t.equal(first.puts, 40, 'each record put once');
  t.equal(first.checkpoint.lines, 40, 'the checkpoint written at stop covers every delivered record');
  const second = await run(dir, 5, 45);
  t.equal(second.puts, 5, 'after a restart only the new records are put');
  t.equal(second.checkpoint.lines, 5, 'the leftover segment was finished and removed; the checkpoint now counts the new one');
});
