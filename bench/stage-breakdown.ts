/**
 * Where a gateway's time goes during one load cell: the `workjet_stage_duration_seconds`
 * histogram scraped from its `/metrics` before and after the cell, as mean milliseconds per
 * request for each stage. Targets without that metric (the passthrough) have no breakdown.
 */

/** Cumulative sum and count of one stage's histogram. */
interface StageTotals {
  sum: number;
  count: number;
}

export type StageSnapshot = ReadonlyMap<string, StageTotals>;

const SERIES = /^workjet_stage_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/;
const STAGE_LABEL = /(?:^|,)stage="([^"]+)"/;

/** Parses the stage histogram's `_sum`/`_count` lines from Prometheus text, summed over routes. */
export function parseStageTotals(text: string): StageSnapshot {
  const totals = new Map<string, StageTotals>();
  for (const line of text.split('\n')) {
    const series = SERIES.exec(line);
    const stage = series && STAGE_LABEL.exec(series[2] ?? '')?.[1];
    if (!series || !stage) continue;
    const entry = totals.get(stage) ?? { sum: 0, count: 0 };
    entry[series[1] === 'sum' ? 'sum' : 'count'] += Number(series[3]);
    totals.set(stage, entry);
  }
  return totals;
}

/** `workjet_audit_spool_records`: records spooled but not yet in the sink (the deliverer's backlog). */
export function parseSpoolBacklog(text: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('workjet_audit_spool_records ')) return Number(line.slice('workjet_audit_spool_records '.length));
  }
  return undefined;
}

/** The target's stage totals now, or undefined when it has no stage metric. */
export async function scrapeStages(port: number): Promise<{ stages: StageSnapshot; spoolBacklog: number | undefined } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) return undefined;
    const text = await res.text();
    const stages = parseStageTotals(text);
    return stages.size > 0 ? { stages, spoolBacklog: parseSpoolBacklog(text) } : undefined;
  } catch {
    return undefined;
  }
}

/** Mean ms per request of each stage between two snapshots, in pipeline order of first appearance. */
export function stageMeansMs(before: StageSnapshot, after: StageSnapshot): Array<{ stage: string; meanMs: number }> {
  const means: Array<{ stage: string; meanMs: number }> = [];
  for (const [stage, end] of after) {
    const start = before.get(stage) ?? { sum: 0, count: 0 };
    const count = end.count - start.count;
    if (count > 0) means.push({ stage, meanMs: ((end.sum - start.sum) / count) * 1000 });
  }
  return means;
}

export function formatStageMeans(means: ReadonlyArray<{ stage: string; meanMs: number }>): string {
  return means.map((m) => `${m.stage} ${m.meanMs < 0.1 ? m.meanMs.toFixed(3) : m.meanMs.toFixed(2)}`).join('  ');
}
