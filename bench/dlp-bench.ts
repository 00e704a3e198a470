import { compileTenantDlp, type TenantDlp } from '../proxy/dlp/tenant-dlp.js';
import { BUILTIN_DETECTOR_IDS } from '../proxy/dlp/detectors/index.js';

/**
 * DLP micro-bench (`npm run bench:dlp`):
 * 1. a 32 KiB prompt scanned with every built-in detector enabled (p50/p99 of `scanRequest`,
 *    the whole request-side path: walk the body, normalise, one RE2.Set pass, exact passes);
 * 2. a tenant pattern `(a+)+$` over `a…ab` from 100 KiB to 1 MiB: RE2 time grows linearly;
 * 3. the stream redactor on the same 32 KiB answer arriving in 4-character deltas.
 */

const KIB = 1024;

const PROSE = [
  'The deployment pipeline builds the container image, runs the integration suite against a staging database, and promotes the tag once every check is green.',
  'Quarterly revenue grew 12.5% year over year, driven mostly by the enterprise tier; churn stayed below 2% for the third quarter in a row.',
  'Please summarise the attached incident report from 2024-03-14, list the timeline of events, and propose three follow-up actions with owners.',
  'function retry(fn, attempts = 3) { for (let i = 0; i < attempts; i++) { try { return fn(); } catch (err) { if (i === attempts - 1) throw err; } } }',
  'Version 4.2.1 fixed the memory leak in the cache layer; see ticket ENG-4411 and the benchmark table in section 3.2 of the design document.',
  'Our customers in Berlin, Paris and Toronto reported slower checkouts between 09:00 and 11:30 UTC; the p99 latency peaked at 2.4 seconds.',
  'SELECT id, created_at, status FROM orders WHERE status = \'pending\' AND created_at > now() - interval \'7 days\' ORDER BY created_at DESC LIMIT 50;',
  'Translate the following paragraph into French, keep the product names in English, and use a formal register suitable for a press release.',
];

const SECRETS = [
  'Contact me at jane.roe@corp.example.org or +1 (415) 555-2671.',
  'The card 4539 1488 0343 6467 was charged twice.',
  'export AWS_SECRET_ACCESS_KEY=Zk3n9Qp2Xv7Lm4Rt8Yw1Bc6Df0Gh5Jk2Mn9Pq3St',
  'db password=Xq7#mP2$vL9!kR4 on host 10.20.30.40',
];

function prompt(size: number, withSecrets: boolean): string {
  let text = '';
  for (let i = 0; text.length < size; i++) {
    text += (PROSE[i % PROSE.length] as string) + (i % 3 === 2 ? '\n\n' : ' ');
    if (withSecrets && i % 40 === 20) text += (SECRETS[(i / 40) % SECRETS.length | 0] as string) + ' ';
  }
  return text.slice(0, size);
}

function percentiles(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

function time(fn: () => unknown, iterations: number, warmup = 200): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;

function benchPrompt(dlp: TenantDlp, label: string, text: string): void {
  const body = { model: 'fast', messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: text }] };
  const findings = dlp.scanRequest('chat', body).findings.reduce((n, f) => n + f.count, 0);
  const stats = percentiles(time(() => dlp.scanRequest('chat', body), 3000));
  console.log(`${label.padEnd(44)} p50 ${fmt(stats.p50)}  p99 ${fmt(stats.p99)}  mean ${fmt(stats.mean)}  (${findings} findings)`);
}

const all = compileTenantDlp('bench', { detectors: Object.fromEntries(BUILTIN_DETECTOR_IDS.map((id) => [id, 'redact'])), custom: [], responses: 'redact' });

console.log(`# DLP request scan, 32 KiB prompt, all ${BUILTIN_DETECTOR_IDS.length} built-in detectors (target: p50 ≤ 0.5 ms)`);
benchPrompt(all, '32 KiB clean prose/code prompt', prompt(32 * KIB, false));
benchPrompt(all, '32 KiB prompt with 12 secrets (redacted copy)', prompt(32 * KIB, true));
benchPrompt(all, '1 KiB prompt', prompt(KIB, false));

console.log('\n# Tenant pattern (a+)+$ over a…ab (RE2: linear; a backtracking engine never finishes)');
const redos = compileTenantDlp('bench-redos', { detectors: {}, custom: [{ name: 'nested', pattern: '(a+)+$', action: 'block' }], responses: 'off' });
let base: number | undefined;
for (const kib of [100, 200, 300, 400, 500, 600, 700, 800, 900, 1024]) {
  const text = 'a'.repeat(kib * KIB - 1) + 'b';
  const { p50 } = percentiles(time(() => redos.scanText(text), 15, 3));
  base ??= p50 / kib;
  console.log(`${String(kib).padStart(5)} KiB  ${fmt(p50).padStart(10)}  ${(p50 / kib * 1024).toFixed(2).padStart(7)} ms/MiB  (×${(p50 / kib / base).toFixed(2)} per KiB vs 100 KiB)`);
}

console.log('\n# Stream redaction: 32 KiB answer in 4-character deltas, all detectors');
const answer = prompt(32 * KIB, true);
const streamed = time(
  () => {
    const redactor = all.createStreamRedactor();
    for (let i = 0; i < answer.length; i += 4) redactor.push(answer.slice(i, i + 4));
    redactor.flush();
  },
  30,
  3,
);
const s = percentiles(streamed);
console.log(`${answer.length / 4} deltas: p50 ${fmt(s.p50)} per stream (${((s.p50 / (answer.length / 4)) * 1000).toFixed(1)} µs per delta)`);
