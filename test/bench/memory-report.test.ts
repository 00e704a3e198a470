// The memory cell's judging and report (`npm run bench:streams`): peak under 250 MiB, "after"
// back within max(20 MiB, 10%) of the baseline, every stream complete and correct.
import t from 'tap';
import { afterLimitBytes, bytesPerStream, checkStreams, formatMemoryCells, judgeMemory, keptHeapBytesPerStream, type MemoryCell, type MemoryRound } from '../../bench/memory-report.js';

const MIB = 1024 * 1024;
const TEXT = 'Hello from the fake provider.';

function round(heldMiB: number, peakMiB: number, afterMiB: number, ok = 1000): MemoryRound {
  return { openSeconds: 2, heldBytes: heldMiB * MIB, peakBytes: peakMiB * MIB, afterBytes: afterMiB * MIB, check: { total: 1000, ok, failures: ok === 1000 ? {} : { 'no [DONE]': 1000 - ok } } };
}

function cellOf(baselineMiB: number, rounds: MemoryRound[]): MemoryCell {
  return { target: 'gw-all', streams: 1000, baselineBytes: baselineMiB * MIB, rounds };
}

t.test('the after allowance is 20 MiB, or 10% of a baseline above 200 MiB', async (t) => {
  t.equal(afterLimitBytes(100 * MIB), 120 * MIB);
  t.equal(afterLimitBytes(300 * MIB), 330 * MIB);
});

t.test('peak of any round under 250 MiB, after of the last round near the baseline', async (t) => {
  const good = judgeMemory(cellOf(170, [round(200, 220, 195), round(205, 224, 186)]));
  t.same([good.held.pass, good.after.pass], [true, true]);
  t.equal(good.held.valueBytes, 224 * MIB, 'the highest peak of all rounds');
  t.equal(good.after.valueBytes, 186 * MIB, 'the last round: an earlier round may not have settled');
  const bad = judgeMemory(cellOf(170, [round(200, 250, 180), round(205, 224, 191)]));
  t.equal(bad.held.pass, false, '250 MiB is not under 250 MiB');
  t.equal(bad.after.pass, false, '191 MiB > 170 + 20 MiB');
});

const memory = (heapUsed: number, heapTotal: number, external: number, rss: number) => ({ heapUsed: heapUsed * MIB, heapTotal: heapTotal * MIB, external: external * MIB, arrayBuffers: 0, rss: rss * MIB });
const withHeap = (r: MemoryRound, heapUsedMiB: number): MemoryRound => ({ ...r, afterMemory: memory(heapUsedMiB, 100, 4, r.afterBytes / MIB) });

t.test('RSS per open stream, and live JS heap kept per stream from round to round', async (t) => {
  const cell = cellOf(170, [withHeap(round(200, 220, 180), 56), withHeap(round(205, 224, 150), 58)]);
  t.equal(bytesPerStream(cell), (30 * MIB) / 1000, '(held − baseline) ÷ streams, first round');
  t.equal(keptHeapBytesPerStream(cell), (2 * MIB) / 1000, 'the collected heap, not RSS (which fell)');
  t.ok(Number.isNaN(keptHeapBytesPerStream(cellOf(170, [withHeap(round(200, 220, 180), 56)]))), 'one round: nothing to compare');
  t.ok(Number.isNaN(keptHeapBytesPerStream(cellOf(170, [round(200, 220, 180), round(200, 220, 180)]))), 'no breakdown: unknown');
  const three = cellOf(170, [withHeap(round(200, 220, 180), 50), withHeap(round(200, 220, 190), 55), withHeap(round(200, 220, 200), 60)]);
  t.equal(keptHeapBytesPerStream(three), (5 * MIB) / 1000, 'per round between first and last');
});

t.test('every stream must be a 200 with the whole text and [DONE]; failures are counted by kind', async (t) => {
  const check = checkStreams(
    [
      { status: 200, content: TEXT, done: true },
      { status: 200, content: TEXT, done: true },
      { status: 200, content: 'Hello from', done: false },
      { status: 200, content: 'Hello from the fake', done: true },
      { status: 503, content: '', done: false },
      { status: 503, content: '', done: false, error: '{"error":{"code":"overloaded"}}' },
      { status: 200, content: 'Hello', done: false, error: 'other side closed' },
    ],
    TEXT,
  );
  t.same(check, { total: 7, ok: 2, failures: { 'no [DONE]': 1, 'wrong content': 1, 'status 503': 1, 'status 503: {"error":{"code":"overloaded"}}': 1, 'error: other side closed': 1 } });
});

t.test('the report prints each round, the breakdown, and PASS / MISS with the limits', async (t) => {
  const cell: MemoryCell = {
    ...cellOf(170, [withHeap(round(200, 220, 195), 59.5), { ...round(205, 224, 195.5, 998), afterMemory: memory(60, 98, 4, 195.5), afterSockets: 5 }]),
    baselineMemory: memory(55, 93, 4, 170),
  };
  const text = formatMemoryCells([cell]);
  t.match(text, 'gw-all: 1000 concurrent streams, 2 round(s); RSS baseline 170.0 MiB');
  t.match(text, 'round 2: all showing first words after 2.0 s; RSS held 205.0 MiB, peak 224.0 MiB, after 195.5 MiB, heap used 60.0 MiB, 5 sockets open; 998/1000 streams complete and correct — FAILED 2: {"no [DONE]":2}');
  t.match(text, 'collected, baseline → after the last round: heap used 55.0 → 60.0, heap total 93.0 → 98.0, external 4.0 → 4.0, native rest 73.0 → 93.5 MiB');
  t.match(text, 'per open stream: 30.7 KiB of RSS ((held − baseline) ÷ 1000); JS heap kept per stream from round to round: 0.5 KiB');
  t.match(text, 'PASS  peak 224.0 MiB < 250.0 MiB');
  t.match(text, 'MISS  after 195.5 MiB ≤ baseline + max(20 MiB, 10%) = 190.0 MiB');
});
