import { readFileSync } from 'node:fs';

/**
 * Where a process's resident memory is, by mapping (`/proc/<pid>/smaps`): the main heap (`[heap]`,
 * glibc's brk arena), anonymous mappings (V8's heap pages, other threads' malloc arenas, worker
 * isolates), and each file (shared libraries, SQLite's -shm). The memory cell prints the change
 * from baseline to after with `BENCH_STREAMS_SMAPS=1`, to tell retained allocator pages from
 * something still held; read from outside, so the target runs no extra code.
 */
export function residentByMapping(pid: number): Map<string, number> {
  const totals = new Map<string, number>();
  let current = 'anon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const first = line.split(' ', 1)[0] ?? '';
    if (first.includes('-') && !first.endsWith(':')) {
      // "start-end perms offset dev inode [path]": the path is the sixth field, absent for anonymous memory.
      const fields = line.split(' ').filter((f) => f !== '');
      current = fields.slice(5).join(' ') || 'anon';
      continue;
    }
    if (first === 'Rss:') {
      const kb = Number.parseInt(line.slice(4).trim(), 10);
      if (Number.isFinite(kb)) totals.set(current, (totals.get(current) ?? 0) + kb * 1024);
    }
  }
  return totals;
}

/** The mappings whose resident size changed most between two readings, largest change first. */
export function formatMappingChange(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, top = 6): string {
  const names = new Set([...before.keys(), ...after.keys()]);
  const changes = [...names].map((name) => ({ name, delta: (after.get(name) ?? 0) - (before.get(name) ?? 0) }));
  changes.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
  return changes
    .slice(0, top)
    .map((c) => `${c.name} ${c.delta >= 0 ? '+' : ''}${(c.delta / (1024 * 1024)).toFixed(1)} MiB`)
    .join(', ');
}
