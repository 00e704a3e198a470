import { parseArgs } from 'node:util';
import { FileSink } from '../audit/file-sink.js';
import { S3Sink, normalizePrefix } from '../audit/s3-sink.js';
import type { AuditSink } from '../audit/sink.js';
import { loadConfig } from '../config/load-config.js';
import { dayPrefix, isPartition, parseDay } from '../audit/audit-key.js';
import { verifyDay, type StoredFile } from '../audit/chain-verify.js';

/**
 * `npm run audit:verify -- --tenant acme --date 2026-11-28 [--dir ./data | --config FILE] [--json]`
 * checks the hash chains of one tenant-day (one-record files and batch objects alike) and names
 * every record that was edited or deleted: in the file sink's directory (`--dir`), or in the sink
 * a gateway config names (`--config`: its `audit` section, S3 included). Exit 0: intact; 1: breaks
 * found; 2: usage error.
 */
const USAGE = 'usage: npm run audit:verify -- --tenant <tenant> --date <YYYY-MM-DD> [--dir <audit.dir, default ./data> | --config <gateway config file>] [--json]';

/** The sink to read: the config's (file or S3), else the directory (default ./data). */
function openSink(values: { dir?: string; config?: string }): { sink: AuditSink; where: string } {
  if (values.config === undefined) {
    const dir = values.dir ?? './data';
    return { sink: new FileSink(dir), where: `${dir}/` };
  }
  const audit = loadConfig({ path: values.config, env: process.env }).audit;
  if (audit.sink === 's3' && audit.s3) return { sink: new S3Sink(audit.s3), where: `s3://${audit.s3.bucket}/${normalizePrefix(audit.s3.prefix)}` };
  return { sink: new FileSink(audit.dir), where: `${audit.dir}/` };
}

async function main(argv: string[]): Promise<number> {
  let values: { tenant?: string; date?: string; dir?: string; config?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { tenant: { type: 'string' }, date: { type: 'string' }, dir: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
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
  if (values.dir !== undefined && values.config !== undefined) {
    process.stderr.write(`--dir and --config: give one\n${USAGE}\n`);
    return 2;
  }
  const { sink, where } = openSink(values);
  const prefix = dayPrefix(tenant, day);
  const files: StoredFile[] = [];
  try {
    for (const name of (await sink.list(prefix)).sort()) {
      const text = await sink.get(prefix + name);
      if (text !== undefined) files.push({ name, text });
    }
  } finally {
    await sink.close();
  }
  const report = verifyDay(tenant, date, files);

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`audit:verify ${tenant} ${date} (${where}${prefix}): ${report.records} record(s), ${report.chains.length} chain(s)\n`);
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
