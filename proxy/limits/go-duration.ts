/**
 * Formats milliseconds the way Go's `time.Duration.String()` does (`0s`, `17ms`, `1.5s`,
 * `1m0s`), which is the format of OpenAI's `x-ratelimit-reset-*` headers that SDK users parse.
 */
export function formatGoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const minutes = Math.floor(total / 60_000);
  const restMs = total - minutes * 60_000;
  const seconds = trimDecimals(restMs / 1000);
  if (minutes === 0) return `${seconds}s`;
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes}m${seconds}s`;
  return `${hours}h${minutes - hours * 60}m${seconds}s`;
}

function trimDecimals(value: number): string {
  // Up to millisecond precision, without trailing zeros (Go prints `1.5s`, not `1.500s`).
  return String(Number(value.toFixed(3)));
}
