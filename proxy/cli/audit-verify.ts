import { parseArgs } from 'node:util';
import { FileSink } from '../audit/file-sink.js';
import { dayPrefix, isPartition, parseDay } from '../audit/audit-key.js';
import { verifyDay, type StoredFile } from '../audit/chain-verify.js';

/**
 * `npm run audit:verify -- --tenant acme --date 2026-11-28 [--dir ./data] [--json]` checks the
 * hash chains of one tenant-day in the file sink's directory (one-record files and batch objects
 * alike) and names every record that was edited or deleted. Exit 0: intact; 1: breaks found; 2: usage error.
 */
const USAGE = 'usage: npm run audit:verify -- --tenant <tenant> --date <YYYY-MM-DD> [--dir <audit.dir, default ./data>] [--json]';

async function main(argv: string[]): Promise<number> {
  let values: { tenant?: string; date?: string; dir?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { tenant: { type: 'string' }, date: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const tenant = values.tenant ?? '';
  const date = values.date ?? '';
  const day = parseDay(date);
  if (!isPartition(tenant) || !day) {
    process.stderr.write(`${!isPartition(tenant) ? '--tenant: not a tenant id' : '--date: not a YYYY-MM-DD calendar day'}\n${USAGE}\n`);
    return 2;
  }
  const dir = values.dir ?? './data';
  const sink = new FileSink(dir);
  const prefix = dayPrefix(tenant, day);
  const names = (await sink.list(prefix)).sort();
  const files: StoredFile[] = [];
  for (const name of names) {
    const text = await sink.get(prefix + name);
    if (text !== undefined) files.push({ name, text });
  }
  const report = verifyDay(tenant, date, files);

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`audit:verify ${tenant} ${date} (${dir}/${prefix}): ${report.records} record(s), ${report.chains.length} chain(s)\n`);
    for (const chain of report.chains) {
      process.stdout.write(`  chain instance=${chain.instance} records=${chain.records} lastSeq=${chain.lastSeq} head=${chain.headHash}\n`);
    }
    for (const problem of report.problems) process.stdout.write(`  BREAK ${problem.kind}: ${problem.message}\n`);
    process.stdout.write(report.ok ? 'OK: every chain is intact\n' : `FAILED: ${report.problems.length} break(s)\n`);
  }
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`audit:verify failed: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
