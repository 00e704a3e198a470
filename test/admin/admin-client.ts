// A tiny admin API client for the tests: JSON in, status + parsed JSON + raw text out.

export interface AdminReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // Parsed JSON of any shape: the tests assert on it with t.match.
  readonly body: any;
}

/** Calls `origin + path` with `Authorization: Bearer <key>` (when given) and an optional JSON body. */
export async function adminCall(origin: string, method: string, path: string, key: string | undefined, body?: unknown): Promise<AdminReply> {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Polls `check` every 50 ms until it returns true or `ms` passes; resolves with the elapsed time. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A 32-byte master key, base64 (the WORKJET_MASTER_KEY format). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
