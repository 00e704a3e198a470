import { BENCH_TIER } from './gateway-variants.js';
import type { BodyMode } from './report.js';

/**
 * The request every target receives: an OpenAI chat completion of about 1 KB, as an SDK sends
 * it. The user turn carries one e-mail address so that the DLP variant has something to redact
 * (the other targets forward it untouched).
 */
export function benchBody(mode: BodyMode): string {
  const body: Record<string, unknown> = {
    model: BENCH_TIER,
    messages: [
      {
        role: 'system',
        content:
          'You are a concise assistant for an internal engineering team. Answer in plain English, ' +
          'cite the relevant document section when you can, and say so when you do not know.',
      },
      {
        role: 'user',
        content:
          'Summarise the incident report below in three bullet points and suggest one follow-up. ' +
          'Report: at 14:05 UTC the build queue stalled because the artifact cache filled its disk; ' +
          'the on-call engineer (reachable at oncall.lead@example.com) cleared old artifacts, restarted ' +
          'the cache service and the queue drained by 14:40. No customer-facing impact was observed, ' +
          'but two release candidates were delayed by about forty minutes. The cache has no disk ' +
          'usage alert and its retention policy was never configured after the migration in March.',
      },
    ],
    max_tokens: 128,
    temperature: 0.2,
  };
  if (mode === 'stream') {
    body['stream'] = true;
    body['stream_options'] = { include_usage: true };
  }
  return JSON.stringify(body);
}

/** Sends one request and checks the answer is a complete success in the mode's wire format. */
export async function smokeCheck(url: string, headers: Record<string, string>, mode: BodyMode): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers, body: benchBody(mode), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${mode} smoke request answered ${res.status}: ${text.slice(0, 300)}`);
  if (mode === 'stream') {
    if (!text.includes('data: [DONE]')) throw new Error(`stream smoke request did not end with data: [DONE]: ${text.slice(-300)}`);
  } else {
    const parsed = JSON.parse(text) as { choices?: unknown };
    if (!Array.isArray(parsed.choices)) throw new Error(`json smoke request has no choices: ${text.slice(0, 300)}`);
  }
}
