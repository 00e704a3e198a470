/** The UTC calendar month of an instant as `YYYY-MM`: the unit budgets are counted in. */
export function utcMonth(at: Date | number): string {
  const d = typeof at === 'number' ? new Date(at) : at;
  const m = d.getUTCMonth() + 1;
  return `${d.getUTCFullYear()}-${m < 10 ? '0' : ''}${m}`;
}

/** A source of the current time in epoch milliseconds (injectable so tests can cross a month). */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
